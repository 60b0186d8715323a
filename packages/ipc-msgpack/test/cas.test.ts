import { casScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

casScenarios(transport);
