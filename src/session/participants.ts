import type { ParticipantSeen } from '../contracts/index.js';
import type { ParticipantTile } from '../platforms/platform.js';
import type { Clock } from './clock.js';

/** Everyone the bot saw in the call, with first/last sighting; reports changes to the roster. */
export class ParticipantTracker {
  private readonly seen = new Map<string, ParticipantSeen>();
  private present = '';

  constructor(
    private readonly clock: Clock,
    private readonly onChange: (participants: ParticipantSeen[]) => void,
  ) {}

  observe(tiles: readonly ParticipantTile[]): void {
    const at = new Date(this.clock.now()).toISOString();
    for (const tile of tiles) {
      // Platforms re-key tiles when a stream restarts; the display name is the stable identity.
      const key = tile.name || tile.id;
      const known = this.seen.get(key);
      if (known) known.lastSeen = at;
      else this.seen.set(key, { id: tile.id, name: tile.name, firstSeen: at, lastSeen: at });
    }
    const present = tiles.map((t) => t.name || t.id).sort().join('\n');
    if (present !== this.present) {
      this.present = present;
      this.onChange(this.list());
    }
  }

  list(): ParticipantSeen[] {
    return [...this.seen.values()].map((p) => ({ ...p }));
  }
}
