import type { ParticipantSeen } from '../contracts/index.js';
import type { ParticipantTile } from '../platforms/platform.js';
import { isPresentationTile } from './attendees.js';
import type { Clock } from './clock.js';
import { SampledIntervals, SpeakerTimeline } from './speakers.js';

/** How often the call monitor probes the page; presence and speaker intervals are sampled at it. */
export const CALL_POLL_MS = 500;

interface Sighting {
  id: string;
  name: string;
  firstSeen: string;
  lastSeen: string;
}

/**
 * Everyone the bot saw in the call: first/last sighting, each stay (join/leave), and who spoke
 * when (`speakers`). Reports changes to the roster.
 */
export class ParticipantTracker {
  readonly speakers: SpeakerTimeline;
  private readonly seen = new Map<string, Sighting>();
  private readonly presence: SampledIntervals;
  private present = '';

  constructor(
    private readonly clock: Clock,
    private readonly onChange: (participants: ParticipantSeen[]) => void,
    pollMs: number = CALL_POLL_MS,
  ) {
    this.speakers = new SpeakerTimeline(clock, pollMs);
    this.presence = new SampledIntervals(pollMs * 1.5);
  }

  /** One in-call probe's tiles (the bot's own already removed). */
  observe(tiles: readonly ParticipantTile[]): void {
    const now = this.clock.now();
    const at = new Date(now).toISOString();
    // A screen share is a stream, not a person: no presence, no talk time of its own.
    const people = tiles.filter((t) => !isPresentationTile(t.name));
    // Platforms re-key tiles when a stream restarts; the display name is the stable identity.
    const key = (t: ParticipantTile): string => t.name || t.id;
    for (const tile of people) {
      const known = this.seen.get(key(tile));
      if (known) known.lastSeen = at;
      else this.seen.set(key(tile), { id: tile.id, name: tile.name, firstSeen: at, lastSeen: at });
    }
    this.presence.sample(now, people.map(key));
    this.speakers.sample(people.filter((t) => t.speaking).map(key));
    const present = people.map(key).sort().join('\n');
    if (present !== this.present) {
      this.present = present;
      this.onChange(this.list());
    }
  }

  /** A probe that found the page outside the call: nobody can be seen speaking. */
  observeOutsideCall(): void {
    this.speakers.sample([]);
  }

  list(): ParticipantSeen[] {
    const stays = this.presence.list();
    return [...this.seen].map(([key, p]) => ({
      ...p,
      intervals: stays
        .filter((s) => s.name === key)
        .map((s) => ({ joinedAt: iso(s.start), leftAt: s.end === null ? null : iso(s.end) })),
    }));
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
