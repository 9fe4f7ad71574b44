// V2 (OpenAI Realtime GA) server frames used by the benchmarks, built once per process.
// Every frame is shaped as the GA API sends it, so each client (including the peer, which
// validates frames with zod) does its full normal work.

/** 20 ms of 24 kHz mono PCM16: 480 samples, 960 bytes (1,280 base64 characters). */
export const AUDIO_FRAME_BYTES = 960;

/** The `response.id` of the last frame of a throughput stream: clients stop when they see it. */
export const END_RESPONSE_ID = 'resp_bench_end';

/** Frames per response cycle of the throughput stream: created, 70 audio, 28 transcript, done. */
export const CYCLE_FRAMES = 100;

/** Deterministic PCM16 noise (a small LCG), so payloads are not trivially compressible. */
export function pcmNoise(bytes, seed) {
  const buffer = Buffer.alloc(bytes);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    buffer[i] = state >>> 24;
  }
  return buffer;
}

const WORDS = ['Sure, ', 'let ', 'me ', 'check ', 'that ', 'for ', 'you ', 'right ', 'now. ', 'One ', 'moment ', 'please. '];

function responseObject(id, status) {
  return {
    object: 'realtime.response',
    id,
    status,
    status_details: null,
    output: [],
    conversation_id: 'conv_bench',
    output_modalities: ['audio'],
    max_output_tokens: 'inf',
    audio: { output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin' } },
    usage: null,
    metadata: null,
  };
}

/** `response.created` for `responseId`. */
export function responseCreated(eventId, responseId) {
  return { type: 'response.created', event_id: eventId, response: responseObject(responseId, 'in_progress') };
}

/** `response.done` for `responseId`, with a usage block as the API sends it. */
export function responseDone(eventId, responseId, status = 'completed') {
  const response = responseObject(responseId, status);
  response.usage = {
    total_tokens: 420,
    input_tokens: 300,
    output_tokens: 120,
    input_token_details: { text_tokens: 200, audio_tokens: 100, cached_tokens: 0 },
    output_token_details: { text_tokens: 20, audio_tokens: 100 },
  };
  return { type: 'response.done', event_id: eventId, response };
}

/** `response.output_audio.delta` carrying `base64` for `itemId`. */
export function audioDelta(eventId, responseId, itemId, base64) {
  return {
    type: 'response.output_audio.delta',
    event_id: eventId,
    response_id: responseId,
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    delta: base64,
  };
}

/** `response.output_audio_transcript.delta`. */
export function transcriptDelta(eventId, responseId, itemId, delta) {
  return {
    type: 'response.output_audio_transcript.delta',
    event_id: eventId,
    response_id: responseId,
    item_id: itemId,
    output_index: 0,
    content_index: 0,
    delta,
  };
}

/**
 * The repeating part of the throughput stream: `responses` response cycles of {@link CYCLE_FRAMES}
 * frames each (1 `response.created`, 70 audio deltas, 28 transcript deltas, 1 `response.done`:
 * 70 % audio, 30 % transcript deltas and lifecycle events), as UTF-8 Buffers ready to send. Audio
 * payloads rotate over 16 distinct noise buffers.
 */
export function buildThroughputCycle(responses = 20) {
  const payloads = [];
  for (let i = 0; i < 16; i += 1) payloads.push(pcmNoise(AUDIO_FRAME_BYTES, 7 + i).toString('base64'));
  const frames = [];
  let event = 0;
  let audio = 0;
  let words = 0;
  for (let r = 0; r < responses; r += 1) {
    const responseId = `resp_bench_${r}`;
    const itemId = `item_bench_${r}`;
    frames.push(responseCreated(`event_${(event += 1)}`, responseId));
    for (let j = 1; j < CYCLE_FRAMES - 1; j += 1) {
      if (j % 7 === 3 || j % 7 === 6) {
        frames.push(transcriptDelta(`event_${(event += 1)}`, responseId, itemId, WORDS[words++ % WORDS.length]));
      } else {
        frames.push(audioDelta(`event_${(event += 1)}`, responseId, itemId, payloads[audio++ % payloads.length]));
      }
    }
    frames.push(responseDone(`event_${(event += 1)}`, responseId));
  }
  return frames.map((frame) => Buffer.from(JSON.stringify(frame)));
}

/** The marker frame that ends a throughput stream (counted as one of its frames). */
export function buildEndFrame() {
  return Buffer.from(JSON.stringify(responseDone('event_end', END_RESPONSE_ID)));
}

/** Counts of each frame kind in the first `frames` frames of the stream (for the report). */
export function throughputMix(cycle, frames) {
  const mix = { audio: 0, transcript: 0, lifecycle: 0 };
  for (let i = 0; i < frames; i += 1) {
    const text = i === frames - 1 ? '"response.done"' : cycle[i % cycle.length].toString('latin1', 0, 48);
    if (text.includes('output_audio.delta')) mix.audio += 1;
    else if (text.includes('transcript.delta')) mix.transcript += 1;
    else mix.lifecycle += 1;
  }
  return mix;
}

// ---- live (real-time) frames with an embedded send timestamp ---------------------------------

/**
 * Milliseconds on the machine-wide monotonic clock (CLOCK_MONOTONIC through `process.hrtime`):
 * comparable between the processes of one machine, sub-millisecond resolution.
 */
export function monotonicMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

const STAMP = Buffer.alloc(9);

/**
 * 12 base64 characters encoding the 9 bytes [float64 LE `ms`, 0]: the first 9 bytes of an audio
 * payload, so a stamped payload is `stamp + rest` where `rest` is the base64 of the remaining 951
 * bytes (9 and 951 are multiples of 3, so both encode on their own).
 */
export function stampBase64(ms) {
  STAMP.writeDoubleLE(ms, 0);
  STAMP[8] = 0;
  return STAMP.toString('base64');
}

/** Reads the send timestamp from a stamped base64 audio payload (decodes only 12 characters). */
export function readAudioStamp(base64) {
  return Buffer.from(base64.slice(0, 12), 'base64').readDoubleLE(0);
}

/** Reads the send timestamp from a stamped transcript delta (`t<ms> `). */
export function readTextStamp(delta) {
  return delta.charCodeAt(0) === 116 ? Number.parseFloat(delta.slice(1)) : Number.NaN;
}

let stampedRest;

/**
 * A stamped audio delta as a string, built from a prefix and suffix made once per item: only the
 * 12 stamp characters change per frame.
 */
export function stampedAudioParts(eventPrefix, responseId, itemId) {
  stampedRest ??= pcmNoise(AUDIO_FRAME_BYTES - 9, 99).toString('base64');
  const rest = stampedRest;
  const head =
    `{"type":"response.output_audio.delta","event_id":"${eventPrefix}","response_id":"${responseId}",` +
    `"item_id":"${itemId}","output_index":0,"content_index":0,"delta":"`;
  return { head, tail: `${rest}"}` };
}
