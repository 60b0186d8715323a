import { limitScenarios } from './scenarios/limits.js';
import { transport } from './transport.js';

limitScenarios(transport);
