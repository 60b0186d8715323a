import { processScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

processScenarios(transport);
