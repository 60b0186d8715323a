import { valueScenarios } from './scenarios/values.js';
import { transport } from './transport.js';

valueScenarios(transport);
