import { closeScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

closeScenarios(transport);
