import { expect } from 'chai';
import { RealtimeSimulator, silenceAudio, synthesizeSpeech } from '../simulator/index.js';
import type { DialectContext } from '../simulator/simulator-dialect.js';
import type { TaskRun } from '../simulator/task-scheduler.js';
import { V2IdleTimeout } from '../simulator/v2-idle-timeout.js';
import { V2SessionConfig } from '../simulator/v2-session.js';
import { realtimeUrl, TestClient } from './simulator-test-client.js';

/** Real milliseconds to wait to see that nothing more comes (many idle timeouts at speed 50). */
const QUIET_MS = 200;

describe('RealtimeSimulator v2: server VAD idle timeout (input_audio_buffer.timeout_triggered)', function () {
  this.timeout(8000);
  let simulator: RealtimeSimulator | undefined;
  let client: TestClient | undefined;

  async function connect(turnDetection: Record<string, unknown>): Promise<TestClient> {
    simulator = new RealtimeSimulator({ protocol: 'v2', mode: 'demo', speed: 50 });
    const { url } = await simulator.start();
    client = await TestClient.connect(realtimeUrl(url));
    await client.next('session.created');
    client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: turnDetection } } } });
    await client.next('session.updated');
    return client;
  }

  afterEach(async () => {
    client?.close();
    client = undefined;
    await simulator?.close();
    simulator = undefined;
  });

  it('after the answer has played and idle_timeout_ms of silence: the event, the commit, one prompt; once per silence', async () => {
    const c = await connect({ type: 'server_vad', idle_timeout_ms: 1000 });
    c.sendAudio(silenceAudio(500));
    c.sendText('hello');
    c.send({ type: 'response.create' });
    await c.next('response.done');
    const doneAt = c.times[c.position - 1] as number;
    const triggered = await c.next('input_audio_buffer.timeout_triggered');
    const triggeredAt = c.times[c.position - 1] as number;
    const from = c.position - 1;
    expect(triggered).to.deep.equal({
      type: 'input_audio_buffer.timeout_triggered',
      event_id: triggered['event_id'],
      audio_start_ms: 500,
      audio_end_ms: 500,
      item_id: 'item_3',
    });
    // At least idle_timeout_ms (at speed 50) after response.done; the playback rule is timed exactly below.
    expect(triggeredAt - doneAt).to.be.at.least(1000 / 50 - 2);
    const item = {
      id: 'item_3',
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: '' }],
    };
    await c.next('response.done');
    expect(c.summary(from).slice(0, 6)).to.deep.equal([
      'input_audio_buffer.timeout_triggered',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
      'response.created',
      'response.output_item.added',
    ]);
    expect(c.events[from + 1]).to.deep.include({ type: 'input_audio_buffer.committed', previous_item_id: 'item_2', item_id: 'item_3' });
    expect(c.events[from + 2]).to.deep.include({ type: 'conversation.item.added', previous_item_id: 'item_2', item });
    expect(
      c.events.find((event) => event.type === 'response.output_audio_transcript.done' && event['response_id'] === 'resp_2'),
    ).to.include({
      transcript: 'Are you still there?',
    });
    // The answer to the timeout does not arm it again: the user is prompted once per silence.
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(c.events.filter((event) => event.type === 'input_audio_buffer.timeout_triggered')).to.have.length(1);
    // The next answer arms it again.
    c.sendText('thanks');
    c.send({ type: 'response.create' });
    expect(await c.next('input_audio_buffer.timeout_triggered')).to.include({ audio_start_ms: 500, audio_end_ms: 500, item_id: 'item_7' });
  });

  it('speech before the timeout cancels it (and a turn that is not answered does not arm it again)', async () => {
    const c = await connect({ type: 'server_vad', idle_timeout_ms: 3000, create_response: false });
    c.sendText('hello');
    c.send({ type: 'response.create' });
    await c.next('response.done');
    c.sendAudio(Buffer.concat([silenceAudio(100), synthesizeSpeech('hi again'), silenceAudio(700)]));
    await c.next('input_audio_buffer.speech_started');
    await c.next('input_audio_buffer.committed');
    // Uncancelled, the timeout would fire (1000 + 3000) / 50 = 80 ms after response.done.
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(c.summary().filter((type) => type === 'input_audio_buffer.timeout_triggered' || type === 'response.created')).to.deep.equal([
      'response.created',
    ]);
  });

  it('nothing without idle_timeout_ms (the default null), nor with semantic VAD', async () => {
    for (const detection of [{ type: 'server_vad' }, { type: 'semantic_vad', idle_timeout_ms: 1000 }]) {
      const c = await connect(detection);
      c.sendText('hello');
      c.send({ type: 'response.create' });
      await c.next('response.done');
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      expect(c.summary(c.position).filter((type) => type.startsWith('input_audio_buffer'))).to.deep.equal([]);
      c.close();
      await simulator?.close();
    }
  });

  describe('timing (a manual scheduler)', () => {
    /** Tasks by due time; `advance` runs the due ones in order. */
    class ManualScheduler {
      time = 0;
      private tasks: { due: number; run: TaskRun; cancelled: boolean }[] = [];
      now(): number {
        return this.time;
      }
      schedule(delayMs: number, run: TaskRun): { cancel(): void } {
        const task = { due: this.time + delayMs, run, cancelled: false };
        this.tasks.push(task);
        return { cancel: () => (task.cancelled = true) };
      }
      advance(ms: number): void {
        const end = this.time + ms;
        for (;;) {
          const next = this.tasks.filter((task) => !task.cancelled && task.due <= end).sort((a, b) => a.due - b.due)[0];
          if (next === undefined) break;
          next.cancelled = true;
          this.time = next.due;
          next.run(this.time);
        }
        this.time = end;
      }
    }

    function setup(speed: number, idleTimeoutMs: number | null) {
      const scheduler = new ManualScheduler();
      const session = new V2SessionConfig('sess_1', 'realtime', 'gpt-realtime');
      session.apply({ type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: idleTimeoutMs } } } });
      const input = { writtenMs: 0, inSpeech: false };
      const fired: { at: number; audioStartMs: number }[] = [];
      const context = { scheduler, options: { speed } } as unknown as DialectContext;
      const idle = new V2IdleTimeout(context, session, input, (audioStartMs) => fired.push({ at: scheduler.time, audioStartMs }));
      return { scheduler, session, input, fired, idle };
    }

    it('fires idle_timeout_ms after the playback still due, both divided by speed; audio_start_ms is the audio written when playback ended', () => {
      const { scheduler, input, fired, idle } = setup(2, 6000);
      idle.responseEnded(1000); // 1000 ms of audio still to play: 500 ms at speed 2
      scheduler.advance(499);
      input.writtenMs = 480;
      scheduler.advance(1);
      input.writtenMs = 3400; // the microphone keeps streaming silence
      scheduler.advance(2999);
      expect(fired).to.deep.equal([]);
      scheduler.advance(1);
      expect(fired).to.deep.equal([{ at: 3500, audioStartMs: 480 }]);
      scheduler.advance(60000);
      expect(fired).to.have.length(1);
    });

    it('cancelled by speech or a new response; re-armed by the next end; not fired while the user speaks or once turned off', () => {
      const { scheduler, session, input, fired, idle } = setup(1, 1000);
      idle.responseEnded(0);
      scheduler.advance(999);
      idle.cancel();
      scheduler.advance(5000);
      expect(fired).to.deep.equal([]);
      idle.responseEnded(200);
      idle.responseEnded(0); // the later end wins
      scheduler.advance(1000);
      expect(fired).to.deep.equal([{ at: 6999, audioStartMs: 0 }]);
      idle.responseEnded(0);
      input.inSpeech = true;
      scheduler.advance(1000);
      expect(fired).to.have.length(1);
      input.inSpeech = false;
      idle.responseEnded(0);
      session.apply({ type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: null } } } });
      scheduler.advance(5000);
      expect(fired).to.have.length(1);
    });
  });
});
