import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { checkScenarios, runConnect, type ConnectOptions } from '@parley/cli';
import { RealtimeSimulator, type RealtimeSimulatorOptions } from '@parley/testkit';

const never = new Promise<void>(() => undefined);

function capture(): { text: () => string; errors: () => string; output: { out(text: string): void; err(text: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { text: () => out.join(''), errors: () => err.join(''), output: { out: (text) => out.push(text), err: (text) => err.push(text) } };
}

describe('parley connect, end to end against the simulator', function () {
  this.timeout(20000);
  let simulator: RealtimeSimulator | undefined;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-connect-'));
  });

  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  async function serve(options: RealtimeSimulatorOptions): Promise<string> {
    simulator = new RealtimeSimulator(options);
    return (await simulator.start()).url;
  }

  async function connect(options: ConnectOptions): Promise<{ code: number; out: string; err: string }> {
    const io = capture();
    const code = await runConnect({ logLevel: 'silent', ...options }, { output: io.output, env: {}, interrupted: never });
    return { code, out: io.text(), err: io.errors() };
  }

  it('v2: sends --text, asks for a response, prints the transcript, writes the exact audio bytes as a WAV, exits 0', async () => {
    const url = await serve({ protocol: 'v2', mode: 'demo', speed: 20 });
    const out = join(dir, 'reply.wav');
    const received: Buffer[] = [];
    simulator?.on('sent', (_connection, event) => {
      const sent = event as { type?: string; delta?: string };
      if (sent.type === 'response.output_audio.delta' && sent.delta !== undefined) received.push(Buffer.from(sent.delta, 'base64'));
    });
    const result = await connect({ url, protocol: 'v2', text: ['Hello there'], out, duration: 1.5 });
    expect(result.code).to.equal(0);
    expect(result.out).to.contain('[started] protocol v2');
    expect(result.out).to.contain('assistant: You said: Hello there.');
    expect(result.out).to.contain('[closed] requested');
    const wav = new wavefile.WaveFile(readFileSync(out));
    expect((wav.fmt as { sampleRate: number; numChannels: number }).sampleRate).to.equal(24000);
    expect((wav.fmt as { numChannels: number }).numChannels).to.equal(1);
    const data = Buffer.from((wav.data as { samples: Uint8Array }).samples);
    expect(data.length).to.be.greaterThan(0);
    expect(data.equals(Buffer.concat(received))).to.equal(true);
  });

  it('--json prints events as JSON Lines', async () => {
    const url = await serve({ protocol: 'v1', mode: 'demo', speed: 20 });
    const result = await connect({ url, protocol: 'v1', text: ['hi'], json: true, duration: 1 });
    const lines = result.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(lines[0]?.type).to.equal('started');
    expect(lines.some((line) => line.type === 'outputTranscriptDelta')).to.equal(true);
    expect(lines[lines.length - 1]?.type).to.equal('closed');
  });

  it('--delegate-cmd runs the command per delegation: routed text on stdin, each stdout line an assistant message', async () => {
    const url = await serve({ protocol: 'v2', mode: 'demo', speed: 20 });
    const script = join(dir, 'agent.mjs');
    writeFileSync(
      script,
      "process.stdin.once('data', (chunk) => { console.log('working on: ' + String(chunk).trim()); console.log('sunny, 18 degrees'); process.exit(0); });\n",
    );
    const result = await connect({ url, protocol: 'v2', text: ['please look up the weather'], delegateCmd: `node ${script}`, duration: 2 });
    expect(result.code).to.equal(0);
    expect(result.out).to.contain('[delegation] call_1: "please look up the weather"');
    const messages = (simulator?.connections[0]?.messages ?? []) as {
      type: string;
      item?: { type: string; call_id?: string; output?: string };
    }[];
    const final = messages.find((message) => message.item?.type === 'function_call_output');
    expect(final?.item).to.deep.equal({
      type: 'function_call_output',
      call_id: 'call_1',
      output: '"Agent Final Message":\n\nsunny, 18 degrees',
    });
    expect(result.out).to.contain('assistant: sunny, 18 degrees');
  });

  it('a failing delegate command finishes the turn with the failure text', async () => {
    const url = await serve({ protocol: 'v2', mode: 'demo', speed: 20 });
    const result = await connect({ url, protocol: 'v2', text: ['ask the agent'], delegateCmd: 'echo broken >&2; exit 3', duration: 1.5 });
    expect(result.code).to.equal(0);
    const messages = (simulator?.connections[0]?.messages ?? []) as { item?: { type: string; output?: string } }[];
    const final = messages.find((message) => message.item?.type === 'function_call_output');
    expect(final?.item?.output).to.equal(
      '"Agent Final Message":\n\nThe background agent failed: the delegate command exited with 3: broken',
    );
  });

  it('--record writes a scenario that replays with exactly the live wire messages, and holds no secret', async () => {
    const url = await serve({ protocol: 'v1', mode: 'demo', speed: 20, handoffLateMs: 50 });
    const record = join(dir, 'session.json');
    const result = await connect({
      url,
      protocol: 'v1',
      apiKey: 'sk-recorded-secret',
      text: ['Hello', 'please look up the news'],
      delegateCmd: 'read line; echo done',
      record,
      duration: 2,
    });
    expect(result.code).to.equal(0);
    const text = readFileSync(record, 'utf8');
    expect(text).not.to.contain('sk-recorded-secret');
    expect(text.toLowerCase()).not.to.contain('authorization');
    const scenario = JSON.parse(text) as { expect: { wire: { type: string }[] }; steps: unknown[] };
    expect(scenario.expect.wire.map((message) => message.type)).to.include.members([
      'session.update',
      'conversation.item.create',
      'conversation.handoff.append',
    ]);
    const io = capture();
    const check = await checkScenarios([record], io.output);
    expect(io.text()).to.contain('1 passed, 0 failed');
    expect(check).to.deep.equal({ passed: 1, failed: 0 });
  });

  it('--in streams a 48 kHz stereo WAV as 20 ms frames of 24 kHz mono PCM16 in real time, then 1.5 s of silence', async () => {
    const url = await serve({ protocol: 'v2', mode: 'scripted', replies: [] });
    const input = join(dir, 'in.wav');
    const samples = new Int16Array(48000 * 0.2); // 200 ms at 48 kHz
    for (let i = 0; i < samples.length; i += 1) samples[i] = Math.round(Math.sin(i / 8) * 8000);
    const wav = new wavefile.WaveFile();
    wav.fromScratch(2, 48000, '16', [samples, samples]);
    writeFileSync(input, wav.toBuffer());
    const started = Date.now();
    const result = await connect({ url, protocol: 'v2', in: input, duration: 0 });
    expect(result.code).to.equal(0);
    expect(Date.now() - started).to.be.at.least(1680);
    const frames = ((simulator?.connections[0]?.messages ?? []) as { type: string; audio?: string }[]).filter(
      (message) => message.type === 'input_audio_buffer.append',
    );
    // 10 frames of the file, then 75 frames (1.5 s) of trailing silence so server VAD ends the turn.
    expect(frames).to.have.length(85);
    for (const frame of frames) expect(Buffer.from(frame.audio as string, 'base64').length).to.equal(960);
    expect(Buffer.from(frames[5]?.audio as string, 'base64').some((byte) => byte !== 0)).to.equal(true);
    for (const frame of frames.slice(10)) expect(Buffer.from(frame.audio as string, 'base64').every((byte) => byte === 0)).to.equal(true);
  });

  it('--transcription-model, --turn-detection, --noise-reduction, --audio-format set the v2 session.update', async () => {
    const url = await serve({ protocol: 'v2', mode: 'scripted', replies: [] });
    const result = await connect({
      url,
      protocol: 'v2',
      transcriptionModel: 'whisper-1',
      turnDetection: 'semantic_vad',
      noiseReduction: 'far_field',
      audioFormat: 'pcmu',
      duration: 0,
    });
    expect(result.code).to.equal(0);
    const first = simulator?.connections[0]?.messages[0] as { type: string; session: { audio: Record<string, unknown> } };
    expect(first.type).to.equal('session.update');
    expect(first.session.audio).to.deep.equal({
      input: {
        format: { type: 'audio/pcmu' },
        transcription: { model: 'whisper-1' },
        noise_reduction: { type: 'far_field' },
        turn_detection: { type: 'semantic_vad', eagerness: 'auto', interrupt_response: true, create_response: true },
      },
      output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
    });
  });

  it('--turn-detection none (push-to-talk): the end of --in commits the input and asks for a response', async () => {
    const url = await serve({ protocol: 'v2', mode: 'scripted', replies: [] });
    const input = join(dir, 'ptt.wav');
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 24000, '16', new Int16Array(2400));
    writeFileSync(input, wav.toBuffer());
    const result = await connect({ url, protocol: 'v2', turnDetection: 'none', transcriptionModel: '', in: input, duration: 0 });
    expect(result.code).to.equal(0);
    const types = ((simulator?.connections[0]?.messages ?? []) as { type: string }[]).map((message) => message.type);
    const first = simulator?.connections[0]?.messages[0] as { session: { audio: { input: Record<string, unknown> } } };
    expect(first.session.audio.input.turn_detection).to.equal(null);
    expect(first.session.audio.input).to.not.have.property('transcription');
    expect(types.slice(-2)).to.deep.equal(['input_audio_buffer.commit', 'response.create']);
    expect(types.filter((type) => type === 'input_audio_buffer.append')).to.have.length(5); // no trailing silence: the release ends the turn
  });

  it('a G.711 --audio-format with --in or --out is a usage error (exit 2): those are PCM16 WAV files', async () => {
    const result = await connect({ url: 'http://127.0.0.1:9', protocol: 'v2', audioFormat: 'pcma', out: join(dir, 'x.wav') });
    expect(result.code).to.equal(2);
    expect(result.err).to.contain('--in and --out read and write PCM16 WAV files; with audio format pcma');
  });

  it('a failed start exits 1 with the error (nothing listening)', async () => {
    const url = await serve({ protocol: 'v2' });
    await simulator?.close();
    const result = await connect({ url, protocol: 'v2' });
    expect(result.code).to.equal(1);
    expect(result.err).to.match(/^error: /);
  });

  it('the server closing ends the command with exit 0; a fatal server error exits 1', async () => {
    const closing = await serve({ protocol: 'v2', mode: 'scripted', replies: [[{ type: 'session.updated', session: { id: 's' } }]] });
    const first = connect({ url: closing, protocol: 'v2' });
    setTimeout(() => simulator?.connections[0]?.close(1000, 'done'), 200);
    expect((await first).code).to.equal(0);
    await simulator?.close();
    const failing = await serve({ protocol: 'v2', mode: 'scripted', replies: [[{ type: 'error', error: { message: 'upstream boom' } }]] });
    const second = await connect({ url: failing, protocol: 'v2' });
    expect(second.code).to.equal(1);
    expect(second.out).to.contain('[fatal error] upstream boom');
  });
});
