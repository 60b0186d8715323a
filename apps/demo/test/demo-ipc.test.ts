import { describeDemo } from './scenarios.js';

describeDemo('ipc', () => ({}));
describeDemo('ipc-msgpack', () => ({}));
