import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  exchangeDate,
  holidaysInYear,
  isHoliday,
  isTradingDay,
  nextTradingDay,
  previousTradingDay,
  tradingDaysBetween,
} from '../../src/domain/calendar.js';

/**
 * Every NYSE session from 2000-01-03 to 2026-06-09: the date column of the SPY daily bars, copied
 * once (gzipped) from the shared data set so the test never reads outside the repository.
 */
const realDays = gunzipSync(readFileSync(new URL('./fixtures/nyse-trading-days-2000-2026.txt.gz', import.meta.url)))
  .toString('utf8')
  .trim()
  .split('\n');

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

describe('NYSE calendar against 26 years of real sessions', () => {
  it('the fixture is what we think it is', () => {
    expect(realDays.length).toBe(6648);
    expect(realDays[0]).toBe('2000-01-03');
    expect(realDays[realDays.length - 1]).toBe('2026-06-09');
  });

  it('tradingDaysBetween reproduces exactly the list of real sessions', () => {
    expect(tradingDaysBetween('2000-01-03', '2026-06-09')).toEqual(realDays);
  });

  it('isTradingDay is true on every session and false on every other calendar day', () => {
    const sessions = new Set(realDays);
    let calendarDays = 0;
    for (let d = '2000-01-01'; d <= '2026-06-09'; d = addDays(d, 1)) {
      expect(isTradingDay(d), d).toBe(sessions.has(d));
      calendarDays++;
    }
    expect(calendarDays).toBe(9657);
  });

  it('nextTradingDay / previousTradingDay step between consecutive sessions, also from closed days', () => {
    for (let i = 1; i < realDays.length; i++) {
      const [a, b] = [realDays[i - 1], realDays[i]];
      expect(nextTradingDay(a)).toBe(b);
      expect(previousTradingDay(b)).toBe(a);
      // Any closed day in the gap (weekend, holiday) points to the same neighbours.
      for (let d = addDays(a, 1); d < b; d = addDays(d, 1)) {
        expect(nextTradingDay(d)).toBe(b);
        expect(previousTradingDay(d)).toBe(a);
      }
    }
  });
});

describe('holiday rules', () => {
  it("New Year's Day: Sunday → Monday observed; Saturday → NOT observed on Friday Dec 31", () => {
    expect(isHoliday('2023-01-02')).toBe(true); // Jan 1 2023 was a Sunday
    expect(isHoliday('2017-01-02')).toBe(true);
    expect(isTradingDay('2021-12-31')).toBe(true); // Jan 1 2022 was a Saturday
    expect(isTradingDay('2010-12-31')).toBe(true); // Jan 1 2011 was a Saturday
    expect(isTradingDay('2022-01-03')).toBe(true); // and no Monday substitute either
  });

  it('Saturday holidays move to Friday, Sunday holidays to Monday', () => {
    expect(isHoliday('2020-07-03')).toBe(true); // July 4 2020, Saturday
    expect(isHoliday('2021-07-05')).toBe(true); // July 4 2021, Sunday
    expect(isHoliday('2021-12-24')).toBe(true); // Christmas 2021, Saturday
    expect(isHoliday('2022-12-26')).toBe(true); // Christmas 2022, Sunday
    expect(isHoliday('2020-07-04')).toBe(false); // the Saturday itself is a weekend, not a holiday
    expect(isTradingDay('2020-07-04')).toBe(false);
  });

  it('Juneteenth from 2022 only, with observance', () => {
    expect(isTradingDay('2021-06-18')).toBe(true); // June 19 2021 was a Saturday, before adoption
    expect(isHoliday('2022-06-20')).toBe(true); // June 19 2022, Sunday
    expect(isHoliday('2023-06-19')).toBe(true);
    expect(isHoliday('2027-06-18')).toBe(true); // June 19 2027, Saturday
  });

  it('MLK Day from 1998 only', () => {
    expect(isHoliday('1998-01-19')).toBe(true);
    expect(isTradingDay('1997-01-20')).toBe(true); // third Monday of Jan 1997
  });

  it('Good Friday follows Easter, including its extreme dates', () => {
    expect(isHoliday('2000-04-21')).toBe(true); // Easter 2000-04-23
    expect(isHoliday('2008-03-21')).toBe(true); // Easter 2008-03-23 (early)
    expect(isHoliday('2038-04-23')).toBe(true); // Easter 2038-04-25 (latest possible)
    expect(isHoliday('2285-03-20')).toBe(true); // Easter 2285-03-22 (earliest possible)
  });

  it('the special closures since 2000 are holidays', () => {
    for (const d of ['2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14', '2004-06-11', '2007-01-02', '2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09']) {
      expect(isHoliday(d), d).toBe(true);
    }
  });

  it("reproduces NYSE's published 2025 and 2026 holiday schedules", () => {
    expect(holidaysInYear(2025).map((h) => h.date)).toEqual([
      '2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26',
      '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25',
    ]);
    const h2026 = holidaysInYear(2026);
    expect(h2026.map((h) => h.date)).toEqual([
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19',
      '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25',
    ]);
    expect(h2026[6].name).toBe('Independence Day (observed)');
  });

  it('holidays never fall on a weekend (they are observed on weekdays)', () => {
    for (let y = 1990; y <= 2100; y++) {
      for (const h of holidaysInYear(y)) {
        const wd = new Date(`${h.date}T00:00:00Z`).getUTCDay();
        expect(wd === 0 || wd === 6, h.date).toBe(false);
        expect(h.date.startsWith(`${y}-`)).toBe(true);
      }
    }
  });
});

describe('input handling', () => {
  it('tradingDaysBetween is inclusive and empty when from > to', () => {
    expect(tradingDaysBetween('2024-07-03', '2024-07-08')).toEqual(['2024-07-03', '2024-07-05', '2024-07-08']);
    expect(tradingDaysBetween('2024-07-05', '2024-07-05')).toEqual(['2024-07-05']);
    expect(tradingDaysBetween('2024-07-06', '2024-07-07')).toEqual([]);
    expect(tradingDaysBetween('2024-07-08', '2024-07-03')).toEqual([]);
  });

  it('rejects malformed or impossible dates', () => {
    for (const bad of ['2023-02-29', '1900-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-1-01', '20240101', '2024/01/02', '', '2024-01-0x']) {
      expect(() => isTradingDay(bad), bad).toThrow(RangeError);
    }
    expect(isTradingDay('2024-02-29')).toBe(true); // leap day, a Thursday
    expect(isTradingDay('2000-02-29')).toBe(true); // 2000 is a leap year (divisible by 400)
  });
});

describe('exchangeDate', () => {
  it('converts instants to the New York calendar date across midnight and DST', () => {
    // EST (UTC−5) in January: midnight New York is 05:00Z.
    expect(exchangeDate(new Date('2024-01-02T04:59:59Z'))).toBe('2024-01-01');
    expect(exchangeDate(new Date('2024-01-02T05:00:00Z'))).toBe('2024-01-02');
    // EDT (UTC−4) in July: midnight New York is 04:00Z.
    expect(exchangeDate(new Date('2024-07-01T03:59:59Z'))).toBe('2024-06-30');
    expect(exchangeDate(new Date('2024-07-01T04:00:00Z'))).toBe('2024-07-01');
    // A 16:00 New York close is 21:00Z in winter and 20:00Z in summer — same date either way.
    expect(exchangeDate(new Date('2024-03-08T21:00:00Z'))).toBe('2024-03-08');
    expect(exchangeDate(new Date('2024-03-11T20:00:00Z'))).toBe('2024-03-11');
  });

  it('honours another time zone and rejects invalid input', () => {
    expect(exchangeDate(new Date('2024-01-01T15:30:00Z'), 'Asia/Tokyo')).toBe('2024-01-02'); // UTC+9
    expect(exchangeDate(new Date('2024-01-01T15:30:00Z'), 'UTC')).toBe('2024-01-01');
    expect(() => exchangeDate(new Date('nope'))).toThrow(RangeError);
    expect(() => exchangeDate(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
