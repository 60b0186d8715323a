import { optionScenarios } from './scenarios/options.js';
import { transport } from './transport.js';

optionScenarios(transport);
