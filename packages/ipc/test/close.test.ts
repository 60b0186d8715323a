import { closeScenarios } from './scenarios/close.js';
import { transport } from './transport.js';

closeScenarios(transport);
