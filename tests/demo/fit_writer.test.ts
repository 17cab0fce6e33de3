import { Decoder, Encoder, Profile, Stream, type Mesg } from '@garmin/fitsdk';
import { describe, expect, it } from 'vitest';
import { FitWriter } from '../../lib/demo/fit_writer.ts';
import { seededRandom } from '../../lib/core/random.ts';

const num = (name: string) => (Profile.MesgNum as Record<string, number>)[name]!;

/** The same messages through the SDK's Encoder and through FitWriter. */
function both(messages: [number, Record<string, unknown>][]): [Uint8Array, Uint8Array] {
  const enc = new Encoder();
  const ours = new FitWriter();
  for (const [n, m] of messages) {
    enc.onMesg(n, m as Mesg);
    ours.onMesg(n, m);
  }
  return [enc.close(), ours.close()];
}

describe('FitWriter writes what the FIT SDK Encoder writes', () => {
  it('for an activity: enums, dates, scaled and signed fields, and records whose fields come and go', () => {
    const r = seededRandom(3);
    const t0 = Date.UTC(2025, 3, 26, 6, 32, 23);
    const messages: [number, Record<string, unknown>][] = [
      [num('FILE_ID'), { type: 'activity', manufacturer: 'garmin', product: 4024, serialNumber: 3398712345, timeCreated: new Date(t0) }],
      [num('DEVICE_INFO'), { timestamp: new Date(t0), deviceIndex: 'creator', manufacturer: 'garmin', product: 4024, serialNumber: 3398712345, softwareVersion: 19.18 }],
      [num('EVENT'), { timestamp: new Date(t0), event: 'timer', eventType: 'start', eventGroup: 0 }],
    ];
    for (let i = 0; i < 600; i++) {
      // Now and then a field is missing, so definitions change and local message numbers are reused.
      const drop = (p: number) => r() < p;
      messages.push([num('RECORD'), {
        timestamp: new Date(t0 + i * 3000),
        positionLat: drop(0.1) ? undefined : Math.round((-33.9 + r() / 100) * 2 ** 31 / 180),
        positionLong: drop(0.1) ? undefined : Math.round((151.2 + r() / 100) * 2 ** 31 / 180),
        enhancedAltitude: Math.round((20 + r() * 50) * 10) / 10,
        distance: Math.round(i * 8.123 * 100) / 100,
        enhancedSpeed: Math.round(r() * 5000) / 1000,
        heartRate: drop(0.05) ? undefined : 120 + Math.floor(r() * 50),
        cadence: drop(0.3) ? undefined : 80 + Math.floor(r() * 20),
        power: drop(0.5) ? null : Math.floor(r() * 400),
        notAField: 1,
      }]);
    }
    messages.push(
      [num('LAP'), { messageIndex: 0, timestamp: new Date(t0 + 1_800_000), startTime: new Date(t0), event: 'lap', eventType: 'stop', lapTrigger: 'sessionEnd', totalElapsedTime: 1800.5, totalDistance: 4873.8, sport: 'running', subSport: 'road' }],
      [num('SESSION'), { messageIndex: 0, timestamp: new Date(t0 + 1_800_000), startTime: new Date(t0), event: 'session', eventType: 'stop', trigger: 'activityEnd', sport: 'running', subSport: 'road', totalTimerTime: 1800.5, avgHeartRate: 144, poolLength: 25 }],
      [num('ACTIVITY'), { timestamp: new Date(t0 + 1_800_000), totalTimerTime: 1800.5, numSessions: 1, type: 'manual', event: 'activity', eventType: 'stop', localTimestamp: 1_114_000_000 }],
    );
    const [sdk, ours] = both(messages);
    expect(Buffer.from(ours).equals(Buffer.from(sdk))).toBe(true);
    // And the SDK reads it back whole.
    const { messages: read, errors } = new Decoder(Stream.fromByteArray(ours)).read();
    expect(errors).toEqual([]);
    expect(read.recordMesgs).toHaveLength(600);
  });

  it('refuses a value its field cannot take, and a message with no field of the profile', () => {
    expect(() => new FitWriter().onMesg(num('EVENT'), { event: 'no such event' })).toThrow(/could not convert/);
    expect(() => new FitWriter().onMesg(num('EVENT'), { notAField: 1 })).toThrow(/no field/);
  });
});
