import { valueScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

valueScenarios(transport);
