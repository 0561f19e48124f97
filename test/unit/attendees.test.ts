import { describe, expect, it } from 'vitest';
import { isExternal, matchAttendee, normaliseName, primaryExternalSpeaker, type Attendee } from '../../src/session/attendees.js';

const jose: Attendee = { name: 'José Álvarez', email: 'jose.alvarez@client.example' };
const jane: Attendee = { name: 'Jane Doe', email: 'jane@acme.example' };
const sam: Attendee = { email: 'sam.okafor@partner.example' };
const kim: Attendee = { email: 'kimlee@client.example' };
const alexA: Attendee = { name: 'Alex', email: 'alex.smith@client.example' };
const alexB: Attendee = { name: 'Alex', email: 'alex.jones@acme.example' };
const renee: Attendee = { name: 'Doe, Renée', email: 'rdoe@client.example' };
const attendees = [jose, jane, sam, kim, alexA, alexB, renee];

describe('matchAttendee', () => {
  it.each([
    ['jose alvarez', jose],
    ['JOSÉ ÁLVAREZ', jose],
    ['  José   Álvarez ', jose],
    ['José Álvarez (Guest)', jose],
    ['José Álvarez (External)', jose],
    ['José Álvarez (Unverified)', jose],
    ['Jose Alvarez - Guest', jose],
    ['José Álvarez (he/him)', jose],
    ['José Álvarez (Guest) (he/him)', jose],
    ['Álvarez, José', jose],
    ['Jane Doe (Host)', jane],
    ['Jane Doe (Co-host)', jane],
    ['Jane Doe (me)', jane],
    ['Jane Doe (Presentation)', jane],
    ['Renee Doe', renee], // the attendee is listed "Last, First"
    // No attendee name: the email's local part, in its unambiguous forms only.
    ['Sam Okafor', sam],
    ['Okafor, Sam (Guest)', sam],
    ['Kim Lee', kim],
    ['Alex Smith', alexA],
  ])('%s → %o', (display, expected) => {
    expect(matchAttendee(display, attendees)).toBe(expected);
  });

  it.each([
    ['Alex', 'two attendees are called Alex: ambiguous, never a guess'],
    ['Alex (Guest)', 'suffixes do not break the tie either'],
    ['Sam', 'one word is not evidence against an email local part'],
    ['Jane Smith', 'nobody of that name'],
    ['J. Doe', 'initials are not expanded'],
    ['(Guest)', 'nothing left once the marker is dropped'],
    ['Jose Alvarez Jr', 'a longer name is another name'],
  ])('%s → unmatched (%s)', (display) => {
    expect(matchAttendee(display, attendees)).toBeNull();
  });

  it('the same person listed twice is one match; two people sharing a local part are none', () => {
    expect(matchAttendee('Jane Doe', [jane, { ...jane }])).toEqual(jane);
    const twins: Attendee[] = [{ email: 'pat.kay@client.example' }, { email: 'pat.kay@other.example' }];
    expect(matchAttendee('Pat Kay', twins)).toBeNull();
  });

  it('normalises display names the way platforms decorate them', () => {
    expect(normaliseName('  Zoë  O’Brien (Guest)  ')).toBe("zoe o'brien");
    expect(normaliseName('Straße Müller (pronouns: she/her)')).toBe('strasse muller');
    expect(normaliseName('Ann Lee (Acme)')).toBe('ann lee (acme)'); // not a known marker: kept
  });
});

describe('isExternal', () => {
  const domains = ['acme.example'];
  it.each([
    [{ email: 'x@client.example' }, true],
    [{ email: 'x@acme.example' }, false],
    [{ email: 'x@eu.acme.example' }, false], // subdomain of an internal domain
    [{ email: 'x@notacme.example' }, true], // suffix but not a subdomain
    [{ email: 'x@ACME.EXAMPLE' }, false],
    [{ email: 'x@client.example', internal: true }, false], // the flag overrides the domain
    [{ email: 'x@acme.example', internal: false }, true],
    [{ name: 'No Email' }, null],
    [{ name: 'Flagged', internal: false }, true],
  ] as Array<[Attendee, boolean | null]>)('%o → %s', (attendee, expected) => {
    expect(isExternal(attendee, domains)).toBe(expected);
  });

  it('without internal domains an email alone says nothing', () => {
    expect(isExternal({ email: 'x@client.example' }, [])).toBeNull();
    expect(isExternal({ email: 'x@client.example', internal: false }, [])).toBe(true);
  });
});

describe('primaryExternalSpeaker', () => {
  const domains = ['acme.example'];

  it('picks the external attendee who spoke longest and reports how every speaker matched', () => {
    const talk = { 'Jane Doe': 300, 'José Álvarez (Guest)': 120.04, 'Sam Okafor': 90, Alex: 500, 'Dial-in 1': 40 };
    const { matches, primary } = primaryExternalSpeaker(talk, attendees, domains);
    expect(primary).toEqual({ name: 'José Álvarez', email: 'jose.alvarez@client.example', talkTimeSec: 120 });
    expect(matches).toEqual([
      { name: 'Jane Doe', attendee: { name: 'Jane Doe', email: 'jane@acme.example' }, external: false },
      { name: 'José Álvarez (Guest)', attendee: { name: 'José Álvarez', email: 'jose.alvarez@client.example' }, external: true },
      { name: 'Sam Okafor', attendee: { name: undefined, email: 'sam.okafor@partner.example' }, external: true },
      { name: 'Alex', attendee: 'unmatched', external: null },
      { name: 'Dial-in 1', attendee: 'unmatched', external: null },
    ]);
  });

  it('adds up the names one attendee spoke under (left and rejoined as a guest)', () => {
    const talk = { 'José Álvarez': 50, 'Sam Okafor': 80, 'Jose Alvarez (Guest)': 40 };
    expect(primaryExternalSpeaker(talk, attendees, domains).primary).toEqual({ name: 'José Álvarez', email: 'jose.alvarez@client.example', talkTimeSec: 90 });
  });

  it('null when no external attendee spoke, when only internal ones did, or on a tie', () => {
    expect(primaryExternalSpeaker({}, attendees, domains).primary).toBeNull();
    expect(primaryExternalSpeaker({ 'Jane Doe': 100 }, attendees, domains).primary).toBeNull();
    expect(primaryExternalSpeaker({ 'Sam Okafor': 60, 'Kim Lee': 60 }, attendees, domains).primary).toBeNull();
    // No internal domains and no flags: nobody is known to be external.
    expect(primaryExternalSpeaker({ 'Sam Okafor': 60 }, attendees, []).primary).toBeNull();
  });

  it('an external attendee without an email cannot be linked to a record, so is never primary', () => {
    const noEmail: Attendee = { name: 'Lou Reed', internal: false };
    const { matches, primary } = primaryExternalSpeaker({ 'Lou Reed': 200, 'Sam Okafor': 10 }, [noEmail, sam], domains);
    expect(matches[0]).toEqual({ name: 'Lou Reed', attendee: { name: 'Lou Reed', email: undefined }, external: true });
    expect(primary).toEqual({ email: 'sam.okafor@partner.example', talkTimeSec: 10, name: undefined });
  });
});
