/**
 * Media between one participant's page and one joiner's page, as the participant's page reports
 * it: the connection's state and whether its video is being sent. A meeting holds one of these;
 * pairs go away when either end leaves, so late reports cannot bring them back.
 */
export class MediaPairs {
  /** `${participantId}|${joinerId}` → RTCPeerConnection.connectionState. */
  private readonly states = new Map<string, string>();
  /** The same keys → whether the participant's page sends that joiner its video track. */
  private readonly video = new Map<string, boolean>();

  /** `live`: both ends are still in the meeting; otherwise the report only clears the pair. */
  setState(participantId: string, joinerId: string, state: string, live: boolean): void {
    const key = pairKey(participantId, joinerId);
    if (state === 'closed' || !live) this.states.delete(key);
    else this.states.set(key, state);
  }

  setVideo(participantId: string, joinerId: string, on: boolean): void {
    this.video.set(pairKey(participantId, joinerId), on);
  }

  /** Pairs whose connection is up. */
  connected(): number {
    return [...this.states.values()].filter((s) => s === 'connected').length;
  }

  /** Participants whose video is flowing to this joiner. */
  videoTo(joinerId: string): number {
    return [...this.video].filter(([key, on]) => on && key.endsWith(`|${joinerId}`)).length;
  }

  dropParticipant(participantId: string): void {
    this.drop((key) => key.startsWith(`${participantId}|`));
  }

  dropJoiner(joinerId: string): void {
    this.drop((key) => key.endsWith(`|${joinerId}`));
  }

  private drop(match: (key: string) => boolean): void {
    for (const pairs of [this.states, this.video]) {
      for (const key of [...pairs.keys()]) if (match(key)) pairs.delete(key);
    }
  }
}

function pairKey(participantId: string, joinerId: string): string {
  return `${participantId}|${joinerId}`;
}
