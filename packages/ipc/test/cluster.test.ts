import { clusterScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

clusterScenarios(transport);
