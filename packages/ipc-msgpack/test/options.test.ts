import { optionScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

optionScenarios(transport);
