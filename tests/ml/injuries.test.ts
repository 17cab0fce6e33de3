import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { addInjury, loadInjuries, setInjuryEnd } from '../../lib/ml/injuries.ts';

describe('addInjury', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await Warehouse.open(':memory:');
  });
  afterAll(() => wh.close());

  it('stores a manual injury, normalised, and replaces it when entered again', async () => {
    const first = await addInjury(wh, { athleteId: 'me', date: '2024-03-02', area: ' Calf ', severity: 'Moderate', notes: 'tight after hills' }, { today: '2024-03-05' });
    expect(first).toEqual({ athlete_id: 'me', date: '2024-03-02', area: 'calf', severity: 'moderate', notes: 'tight after hills', source: 'manual', end_date: null, replaced: false });
    const again = await addInjury(wh, { athleteId: 'me', date: '2024-03-02', area: 'calf', severity: 'severe' }, { today: '2024-03-05' });
    expect(again.replaced).toBe(true);
    const rows = await wh.all('SELECT * FROM injuries ORDER BY area');
    expect(rows).toEqual([{ athlete_id: 'me', date: '2024-03-02', area: 'calf', severity: 'severe', notes: null, source: 'manual', end_date: null }]);
    // Today itself is accepted; a different area is a second injury.
    await addInjury(wh, { athleteId: 'me', date: '2024-03-05', area: 'knee' }, { today: '2024-03-05' });
    expect(await wh.all('SELECT area, severity FROM injuries ORDER BY area')).toEqual([
      { area: 'calf', severity: 'severe' },
      { area: 'knee', severity: null },
    ]);
  });

  it('records the return to play with the injury or later, and reads it back', async () => {
    const opts = { today: '2024-03-05' };
    await addInjury(wh, { athleteId: 'end', date: '2024-03-01', area: 'achilles', endDate: '2024-03-20' }, opts);
    await addInjury(wh, { athleteId: 'end', date: '2024-03-03', area: 'knee' }, opts);
    await setInjuryEnd(wh, 'end', '2024-03-03', ' Knee ', '2024-03-10');
    expect(await loadInjuries(wh, 'end')).toEqual([
      { athlete_id: 'end', date: '2024-03-01', area: 'achilles', severity: null, end_date: '2024-03-20' },
      { athlete_id: 'end', date: '2024-03-03', area: 'knee', severity: null, end_date: '2024-03-10' },
    ]);
    await expect(addInjury(wh, { athleteId: 'end', date: '2024-03-04', area: 'calf', endDate: '2024-03-04' }, opts)).rejects.toThrow(
      /injury end date: 2024-03-04 is not after the injury began \(2024-03-04\)/,
    );
    await expect(setInjuryEnd(wh, 'end', '2024-03-03', 'shin', '2024-03-10')).rejects.toThrow(/no injury of end on 2024-03-03 in area "shin"/);
    await expect(setInjuryEnd(wh, 'end', '2024-03-03', 'knee', '10/03/2024')).rejects.toThrow(/injury end date: "10\/03\/2024" is not a valid/);
  });

  it('refuses bad input, naming the field', async () => {
    const opts = { today: '2024-03-05' };
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-02-30', area: 'calf' }, opts)).rejects.toThrow(/injury date: "2024-02-30" is not a valid YYYY-MM-DD date/);
    await expect(addInjury(wh, { athleteId: 'me', date: '5/3/2024', area: 'calf' }, opts)).rejects.toThrow(/injury date/);
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-03-06', area: 'calf' }, opts)).rejects.toThrow(/injury date: 2024-03-06 is in the future \(today is 2024-03-05\)/);
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-03-01', area: '  ' }, opts)).rejects.toThrow(/injury area: must not be empty/);
    await expect(addInjury(wh, { athleteId: '', date: '2024-03-01', area: 'calf' }, opts)).rejects.toThrow(/injury athlete/);
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-03-01', area: 'calf', severity: 'ouch' }, opts)).rejects.toThrow(
      /injury severity: "ouch" is not one of minor, moderate, severe/,
    );
    // Without `today`, the bound is the date in UTC+14: tomorrow in UTC is refused at 09:00 UTC.
    await expect(addInjury(wh, { athleteId: 'me', date: '2024-03-06', area: 'calf' }, { now: new Date('2024-03-05T09:00:00Z') })).rejects.toThrow(/future/);
    await addInjury(wh, { athleteId: 'me', date: '2024-03-06', area: 'shin' }, { now: new Date('2024-03-05T11:00:00Z') });
    expect((await wh.all<{ n: number }>("SELECT count(*) AS n FROM injuries WHERE area = 'shin'"))[0]!.n).toBe(1);
  });
});
