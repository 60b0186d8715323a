export { msgpackCodec, msgpackOptions } from './msgpack-codec.js';
