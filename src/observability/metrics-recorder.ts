import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SessionState } from '../contracts/index.js';
import { SESSION_STATES } from '../contracts/index.js';
import type { WorkerEventMap } from '../fleet/context.js';

/** What the recorder remembers about one live session (dropped at `session_ended`). */
interface Tracked {
  state: SessionState;
  platform: string;
  source: 'meeting' | 'file';
  joined: boolean;
  mediaBytes: number;
  backlogBytes: number;
}

/** Due-time → lease delays worth telling apart: sub-second is healthy, minutes mean no free slot. */
const LEASE_DELAY_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900];

/**
 * Turns a worker's events into Prometheus metrics. Labels are only bounded sets (states, platforms,
 * catalogue reason codes, lease kinds): never meeting or session ids, which would grow the series
 * count without bound.
 */
export class MetricsRecorder {
  private readonly live = new Map<string, Tracked>();
  private readonly joins: Counter<'platform' | 'outcome'>;
  private readonly joinFailures: Counter<'platform' | 'reason'>;
  private readonly failures: Counter<'reason'>;
  private readonly outcomes: Counter<'state' | 'reason'>;
  private readonly captureBytes: Counter;
  private readonly leaseRenewals: Counter<'kind'>;
  private readonly leaseDelay: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    const live = this.live;
    new Gauge({
      name: 'meetcap_sessions',
      help: "Session processes running on this worker, by each one's last reported state.",
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const s of SESSION_STATES) this.set({ state: s }, 0);
        for (const t of live.values()) this.inc({ state: t.state });
      },
    });
    new Gauge({
      name: 'meetcap_upload_backlog_bytes',
      help: "Bytes captured but not yet acknowledged by storage, summed over this worker's sessions.",
      registers,
      collect() {
        let sum = 0;
        for (const t of live.values()) sum += t.backlogBytes;
        this.set(sum);
      },
    });
    this.joins = new Counter({ name: 'meetcap_joins_total', help: 'Meeting joins by platform and outcome (joined = reached in_call; failed/cancelled = ended before it).', labelNames: ['platform', 'outcome'], registers });
    this.joinFailures = new Counter({ name: 'meetcap_join_failures_total', help: 'Sessions that ended before reaching in_call, by platform and catalogue reason.', labelNames: ['platform', 'reason'], registers });
    this.failures = new Counter({ name: 'meetcap_session_failures_total', help: 'Sessions that ended failed, by catalogue reason.', labelNames: ['reason'], registers });
    this.outcomes = new Counter({ name: 'meetcap_session_outcomes_total', help: 'Session outcomes by terminal state and reason ("none" when the outcome carries none).', labelNames: ['state', 'reason'], registers });
    this.captureBytes = new Counter({ name: 'meetcap_capture_bytes_total', help: 'Media bytes handed over by the pages of this worker\'s sessions.', registers });
    this.leaseRenewals = new Counter({ name: 'meetcap_lease_renewals_total', help: 'BullMQ lock renewals of this worker\'s leases, per job, by kind (renewed, renewal_failed).', labelNames: ['kind'], registers });
    this.leaseDelay = new Histogram({ name: 'meetcap_lease_delay_seconds', help: 'Delay between a meeting\'s due time and its lease by this worker.', buckets: LEASE_DELAY_BUCKETS, registers });
  }

  readonly onStarted = (e: WorkerEventMap['session_started']): void => {
    // A job refused at lease never tried to join: it counts as a failure by reason, not as a join.
    if (e.refused) return;
    this.live.set(e.sessionId, { state: 'scheduled', platform: e.platform ?? 'unknown', source: e.source, joined: false, mediaBytes: 0, backlogBytes: 0 });
    const delayMs = Date.parse(e.leasedAt) - Date.parse(e.dueAt);
    // Meetings leased early (a worker picked a job up the moment it was due) count as no delay.
    if (Number.isFinite(delayMs)) this.leaseDelay.observe(Math.max(0, delayMs) / 1000);
  };

  readonly onState = (e: WorkerEventMap['state']): void => {
    const t = this.live.get(e.sessionId);
    if (!t) return;
    t.state = e.state;
    if (e.platform) t.platform = e.platform;
    if (e.state === 'in_call' && !t.joined && t.source === 'meeting') {
      t.joined = true;
      this.joins.inc({ platform: t.platform, outcome: 'joined' });
    }
  };

  readonly onHealth = (e: WorkerEventMap['health']): void => {
    const t = this.live.get(e.sessionId);
    if (!t) return;
    t.state = e.state;
    // Totals since the session started; a lower value (never expected) restarts the baseline.
    if (e.mediaBytes > t.mediaBytes) this.captureBytes.inc(e.mediaBytes - t.mediaBytes);
    t.mediaBytes = e.mediaBytes;
    t.backlogBytes = e.uploadBacklogBytes;
  };

  readonly onEnded = (e: WorkerEventMap['session_ended']): void => {
    const t = this.live.get(e.sessionId);
    this.live.delete(e.sessionId);
    const { state, reason } = e.outcome;
    this.outcomes.inc({ state, reason: reason ?? 'none' });
    if (state === 'failed') this.failures.inc({ reason: reason ?? 'internal_error' });
    if (!t || t.joined || t.source !== 'meeting') return;
    if (state === 'cancelled') {
      this.joins.inc({ platform: t.platform, outcome: 'cancelled' });
      return;
    }
    this.joins.inc({ platform: t.platform, outcome: 'failed' });
    this.joinFailures.inc({ platform: t.platform, reason: reason ?? state });
  };

  readonly onLease = (e: WorkerEventMap['lease']): void => {
    this.leaseRenewals.inc({ kind: e.kind }, e.jobIds.length);
  };
}
