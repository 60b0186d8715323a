export { msgpackCodec, msgpackOptions, packFrame, unpackFrame } from './msgpack-codec.js';
