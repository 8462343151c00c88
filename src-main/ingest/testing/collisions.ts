/**
 * Deterministic generator of Socrata-shaped NYC Motor Vehicle Collisions records (dataset
 * h9gi-nx95): the real column names and order, the real string encodings (every scalar a JSON
 * string, `crash_date` as a floating timestamp with milliseconds, `crash_time` with an unpadded
 * hour), nulls as missing keys and the legacy `location` object with a JSON-encoded
 * `human_address`. Serves the bundled sample, the local Socrata test server and the benchmark.
 */

/** One record as Socrata's JSON endpoint sends it: strings, a nested location, omitted nulls. */
export interface CollisionRecord {
  [field: string]: string | { latitude: string; longitude: string; human_address: string } | undefined;
}

export interface CollisionOptions {
  /** PRNG seed; the same seed gives the same records. */
  seed?: number;
  /** Number of records. */
  count: number;
  /** First crash date (inclusive), `YYYY-MM-DD`. */
  startDate?: string;
  /** Last crash date (inclusive), `YYYY-MM-DD`. */
  endDate?: string;
  /** `collision_id` of the first record; later records count up from it. */
  firstCollisionId?: number;
}

/** Small fast seeded PRNG (mulberry32); returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BOROUGHS: readonly { name: string; zips: readonly string[]; lat: number; lon: number }[] = [
  { name: 'BRONX', zips: ['10451', '10453', '10456', '10458', '10462', '10467', '10472'], lat: 40.845, lon: -73.88 },
  { name: 'BROOKLYN', zips: ['11201', '11203', '11207', '11211', '11215', '11226', '11236'], lat: 40.65, lon: -73.95 },
  { name: 'MANHATTAN', zips: ['10001', '10002', '10011', '10019', '10025', '10029', '10036'], lat: 40.78, lon: -73.97 },
  { name: 'QUEENS', zips: ['11101', '11354', '11368', '11373', '11385', '11432', '11434'], lat: 40.72, lon: -73.82 },
  { name: 'STATEN ISLAND', zips: ['10301', '10304', '10306', '10312', '10314'], lat: 40.58, lon: -74.15 },
];

const STREETS = [
  'BROADWAY', 'ATLANTIC AVENUE', 'GRAND CONCOURSE', 'QUEENS BOULEVARD', 'FLATBUSH AVENUE',
  'EAST 149 STREET', '3 AVENUE', 'NOSTRAND AVENUE', 'JAMAICA AVENUE', 'HYLAN BOULEVARD',
  'BELT PARKWAY', 'LONG ISLAND EXPRESSWAY', 'FDR DRIVE', 'WEST 42 STREET', 'OCEAN PARKWAY',
  '101       EAST DRIVE', 'NORTHERN BOULEVARD', 'EASTERN PARKWAY', 'MAJOR DEEGAN EXPRESSWAY', 'CANAL STREET',
];

const FACTORS = [
  'Unspecified', 'Unspecified', 'Unspecified', 'Driver Inattention/Distraction', 'Failure to Yield Right-of-Way',
  'Following Too Closely', 'Passing or Lane Usage Improper', 'Unsafe Speed', 'Backing Unsafely',
  'Traffic Control Disregarded', 'Turning Improperly', 'Other Vehicular', 'Driver Inexperience',
  'Alcohol Involvement', 'Pavement Slippery', 'View Obstructed/Limited',
];

const VEHICLES = [
  'Sedan', 'Sedan', 'Station Wagon/Sport Utility Vehicle', 'Station Wagon/Sport Utility Vehicle', 'Taxi',
  'Pick-up Truck', 'Box Truck', 'Bike', 'Bus', 'E-Bike', 'Motorcycle', 'Van', 'Tractor Truck Diesel',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Small counts: mostly 0, sometimes 1 or 2. */
function smallCount(random: () => number, p: number): string {
  const r = random();
  return r < p ? (r < p / 5 ? '2' : '1') : '0';
}

function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/**
 * Records in `collision_id` order, spread evenly over the date range (each record's date grows
 * with its position, so ordering by `:id` also orders by `crash_date`).
 */
export function* generateCollisions(options: CollisionOptions): Generator<CollisionRecord> {
  const random = seededRandom(options.seed ?? 42);
  const firstDay = dayNumber(options.startDate ?? '2024-01-01');
  const days = dayNumber(options.endDate ?? '2024-03-31') - firstDay + 1;
  const firstId = options.firstCollisionId ?? 4_700_000;
  for (let i = 0; i < options.count; i++) {
    const day = firstDay + Math.floor((i * days) / options.count);
    const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    const record: CollisionRecord = {
      crash_date: `${date}T00:00:00.000`,
      crash_time: `${Math.floor(random() * 24)}:${String(Math.floor(random() * 60)).padStart(2, '0')}`,
    };
    const borough = random() < 0.68 ? pick(random, BOROUGHS) : undefined;
    if (borough) {
      record.borough = borough.name;
      record.zip_code = pick(random, borough.zips);
    }
    if (random() < 0.92) {
      const center = borough ?? pick(random, BOROUGHS);
      const lat = (center.lat + (random() - 0.5) * 0.08).toFixed(6).replace(/0+$/, '');
      const lon = (center.lon + (random() - 0.5) * 0.08).toFixed(6).replace(/0+$/, '');
      record.latitude = lat;
      record.longitude = lon;
      record.location = {
        latitude: lat,
        longitude: lon,
        human_address: '{"address": "", "city": "", "state": "", "zip": ""}',
      };
    }
    const onStreet = random() < 0.75 ? pick(random, STREETS) : undefined;
    if (onStreet) record.on_street_name = onStreet;
    if (onStreet && random() < 0.6) record.off_street_name = pick(random, STREETS);
    if (!onStreet || random() < 0.1) record.cross_street_name = `${100 + Math.floor(random() * 900)}       ${pick(random, STREETS)}`;
    const pedestriansInjured = smallCount(random, 0.08);
    const cyclistInjured = smallCount(random, 0.05);
    const motoristInjured = smallCount(random, 0.25);
    const killed = random() < 0.002 ? '1' : '0';
    record.number_of_persons_injured = String(Number(pedestriansInjured) + Number(cyclistInjured) + Number(motoristInjured));
    record.number_of_persons_killed = killed;
    record.number_of_pedestrians_injured = pedestriansInjured;
    record.number_of_pedestrians_killed = '0';
    record.number_of_cyclist_injured = cyclistInjured;
    record.number_of_cyclist_killed = '0';
    record.number_of_motorist_injured = motoristInjured;
    record.number_of_motorist_killed = killed;
    const vehicles = 1 + Math.floor(random() * random() * 5);
    for (let v = 1; v <= vehicles; v++) record[`contributing_factor_vehicle_${v}`] = pick(random, FACTORS);
    record.collision_id = String(firstId + i);
    for (let v = 1; v <= vehicles; v++) {
      if (random() < 0.05) continue;
      record[v <= 2 ? `vehicle_type_code${v}` : `vehicle_type_code_${v}`] = pick(random, VEHICLES);
    }
    yield record;
  }
}
