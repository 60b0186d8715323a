export { msgpackCodec, msgpackOptions } from './msgpack-codec.js';
export {
  FRAME_LENGTH_BYTES,
  type FrameLayout,
  packFrame,
  packLengthPrefixedFrame,
  unpackFrame,
} from './msgpack-frames.js';
