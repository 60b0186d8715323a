import { processScenarios } from './scenarios/processes.js';
import { transport } from './transport.js';

processScenarios(transport);
