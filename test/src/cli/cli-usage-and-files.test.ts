import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { runCli } from '@parley/cli';
import { RealtimeSimulator } from '@parley/testkit';
import { spawnParley, writeSpeechWav } from '../support/cli-process.js';

function capture(): { out: () => string; err: () => string; output: { out(text: string): void; err(text: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: () => out.join(''), err: () => err.join(''), output: { out: (text) => out.push(text), err: (text) => err.push(text) } };
}

describe('parley: usage errors, exit codes and file options', function () {
  this.timeout(20000);
  let dir: string;
  let simulator: RealtimeSimulator;
  let url: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-usage-'));
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'scripted', replies: [] });
    url = (await simulator.start()).url;
  });

  afterEach(async () => {
    await simulator.close();
  });

  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = capture();
    const code = await runCli(args, io.output);
    return { code, out: io.out(), err: io.err() };
  }

  function wav(name: string, make: (wav: InstanceType<typeof wavefile.WaveFile>) => void): string {
    const samples = new Int16Array(2400);
    for (let i = 0; i < samples.length; i += 1) samples[i] = Math.round(Math.sin(i / 8) * 8000);
    const file = new wavefile.WaveFile();
    file.fromScratch(1, 8000, '16', samples);
    make(file);
    const path = join(dir, name);
    writeFileSync(path, file.toBuffer());
    return path;
  }

  const badInputs: [string, (dir: string) => string, RegExp][] = [
    ['a missing file', (d) => join(d, 'missing.wav'), /no such file/],
    ['an empty file', (d) => (writeFileSync(join(d, 'empty.wav'), ''), join(d, 'empty.wav')), /is empty/],
    ['a text file', (d) => (writeFileSync(join(d, 'notes.wav'), 'hello'), join(d, 'notes.wav')), /is not a WAV file/],
    [
      'a FLAC file',
      (d) => (writeFileSync(join(d, 'q.flac'), Buffer.from('fLaC\0\0\0\x22' + 'x'.repeat(40))), join(d, 'q.flac')),
      /is a FLAC file/,
    ],
    [
      'a truncated WAV',
      (d) => {
        const file = new wavefile.WaveFile();
        file.fromScratch(1, 24000, '16', new Int16Array(24000));
        writeFileSync(join(d, 'cut.wav'), Buffer.from(file.toBuffer()).subarray(0, 1000));
        return join(d, 'cut.wav');
      },
      /is truncated: its data chunk declares 48000 bytes but the file holds 956/,
    ],
  ];
  for (const [what, make, problem] of badInputs) {
    it(`--in with ${what}: exit 2 before connecting, naming the file and the problem`, async () => {
      const input = make(dir);
      const result = await run(['connect', '--url', url, '--in', input, '--duration', '5']);
      expect(result.code).to.equal(2);
      expect(result.err).to.match(new RegExp(`^error: --in ${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(result.err).to.match(problem);
      expect(result.out).to.equal('');
      expect(simulator.connections).to.have.length(0);
    });
  }

  it('--in with IMA ADPCM says it is unsupported (exit 2)', async () => {
    const input = wav('adpcm.wav', (file) => file.toIMAADPCM());
    const result = await run(['connect', '--url', url, '--in', input]);
    expect(result.code).to.equal(2);
    expect(result.err).to.contain(`--in ${input}: is IMA ADPCM, which is not supported`);
  });

  for (const codec of ['μ-law', 'A-law'] as const) {
    it(`--in with a ${codec} WAV is decoded to PCM16, not sent as noise`, async () => {
      const input = wav(`${codec}.wav`, (file) => (codec === 'μ-law' ? file.toMuLaw() : file.toALaw()));
      const result = await run(['connect', '--url', url, '--protocol', 'v2', '--in', input, '--duration', '0']);
      expect(result.code).to.equal(0);
      const frames = (simulator.connections[0]?.messages as { type: string; audio?: string }[]).filter(
        (message) => message.type === 'input_audio_buffer.append',
      );
      const pcm = Buffer.concat(frames.map((frame) => Buffer.from(frame.audio as string, 'base64')));
      // 2400 samples at 8 kHz = 7200 at 24 kHz; a G.711 sine of amplitude 8000 stays near it (noise would not).
      let peak = 0;
      for (let i = 0; i < 7200; i += 1) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i * 2)));
      expect(peak).to.be.within(7000, 9000);
    });
  }

  it('--out and --record that cannot be written: exit 2 before connecting', async () => {
    const nowhere = join(dir, 'no-such-folder', 'reply.wav');
    const out = await run(['connect', '--url', url, '--text', 'hi', '--out', nowhere]);
    expect(out.code).to.equal(2);
    expect(out.err).to.equal(`error: --out ${nowhere}: cannot be written (no such file or folder)\n`);
    const record = await run(['connect', '--url', url, '--text', 'hi', '--record', dir]);
    expect(record.code).to.equal(2);
    expect(record.err).to.equal(`error: --record ${dir}: cannot be written (is a folder)\n`);
    expect(simulator.connections).to.have.length(0);
  });

  it('a config file with a JSON syntax error names the file (exit 2)', async () => {
    const config = join(dir, 'parley.json');
    writeFileSync(config, '{"realtime": {');
    const result = await run(['connect', '--url', url, '--config', config]);
    expect(result.code).to.equal(2);
    expect(result.err).to.match(new RegExp(`^error: --config ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON \\(`));
  });

  it('bad option values are usage errors (exit 2): protocol, URL, log level, repeated --in, --delegate-timeout 0', async () => {
    const speech = join(dir, 'q.wav');
    writeSpeechWav(speech);
    const cases: [string[], RegExp][] = [
      [['connect', '--url', url, '--protocol', 'v9'], /unknown protocol `v9`.*--protocol/],
      [['connect', '--url', 'not a url'], /not a URL: not a url/],
      [['connect', '--url', 'ftp://example.com'], /not an http\(s\) or ws\(s\) URL/],
      [['connect', '--url', url, '--log-level', 'verbose'], /--log-level.*verbose.*Allowed choices are fatal, error, warn/],
      [['connect', '--url', url, '--in', speech, '--in', speech], /--in can be given only once/],
      [['connect', '--url', url, '--delegate-timeout', '0'], /must be more than 0 seconds/],
      [['connect', '--url', url, '--delegate-format', 'xml'], /Allowed choices are plain, json/],
      [['connect', '--url', url, '--duration', 'soon'], /not a number of seconds: soon/],
      [['simulate', '--speed', '0'], /not a positive number: 0/],
      [['connect', '--url', url, '--text', 'x'.repeat(70000)], /--text: a message of 70000 characters is over the maximum of 65536/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.err, args.join(' ')).to.match(message);
    }
    expect(simulator.connections).to.have.length(0);
  });

  it('--version prints the package version; simulate --help does not mark --protocol as required', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../packages/cli/package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const version = await run(['--version']);
    expect(version).to.deep.equal({ code: 0, out: `${manifest.version}\n`, err: '' });
    const help = await run(['simulate', '--help']);
    expect(help.code).to.equal(0);
    expect(help.out).to.match(/--protocol <id> +v1, v2 or live \(the OpenAI Live API\) \(default: "v2"\)/);
    expect(help.out).not.to.contain('required');
    expect(help.out).to.contain('--heard <text>');
    expect(help.out).to.contain('does not recognise speech');
  });

  it('a start error is printed once, naming the flags: --api-key (exit 2)', async () => {
    const cli = spawnParley(['connect', '--url', 'https://api.openai.com/v1', '--text', 'hi']);
    const exit = await cli.exited;
    expect(exit.code).to.equal(2);
    expect(cli.stderr).to.equal('error: an API key is required: pass --api-key <key> or set OPENAI_API_KEY (loopback servers need none)\n');
    expect(cli.stdout).to.equal('');
  });

  it('a start error is printed once, naming the flags: --allow-insecure (exit 2)', async () => {
    const cli = spawnParley(['connect', '--url', 'ws://example.com', '--api-key', 'sk-test', '--text', 'hi']);
    const exit = await cli.exited;
    expect(exit.code).to.equal(2);
    expect(cli.stderr).to.match(
      /^error: refusing the insecure \(unencrypted\) URL ws:\/\/example\.com\S*: use wss:\/\/ or https:\/\/, or pass --allow-insecure to allow it\n$/,
    );
    expect(cli.stdout).to.equal('');
  });

  it('a connection failure exits 1 with one message', async () => {
    await simulator.close();
    const cli = spawnParley(['connect', '--url', url, '--text', 'hi']);
    const exit = await cli.exited;
    expect(exit.code).to.equal(1);
    expect(cli.stderr.trim().split('\n')).to.have.length(1);
    expect(cli.stderr).to.match(/^error: could not connect to /);
  });

  it('--log-level debug names the type of a skipped inbound frame', async () => {
    await simulator.close();
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'scripted', replies: [[{ type: 'response.mystery_event', x: 1 }]] });
    url = (await simulator.start()).url;
    const cli = spawnParley(['connect', '--url', url, '--protocol', 'v2', '--log-level', 'debug', '--duration', '0.5']);
    expect((await cli.exited).code).to.equal(0);
    const skipped = cli.stderr
      .split('\n')
      .filter((line) => line.includes('skipped an inbound frame'))
      .map((line) => JSON.parse(line) as { frameType?: string });
    expect(skipped.map((line) => line.frameType)).to.include('response.mystery_event');
  });
});
