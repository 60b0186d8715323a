import { processScenarios } from '../../ipc/test/scenarios/processes.js';
import { transport } from './transport.js';

processScenarios(transport);
