export {
  FRAME_LENGTH_BYTES,
  msgpackCodec,
  msgpackOptions,
  packFrame,
  packLengthPrefixedFrame,
  unpackFrame,
} from './msgpack-codec.js';
