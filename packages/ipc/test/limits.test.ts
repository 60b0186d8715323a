import { limitScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

limitScenarios(transport);
