import { describe, expect, it } from 'vitest';
import { ConnectionStringError, parseLibpqPairs, parsePostgresConnection } from './config-libpq';

describe('libpq connection strings', () => {
  it('parses key/value pairs into pg client options (dbname becomes database)', () => {
    expect(parsePostgresConnection('host=db.internal port=5433 dbname=lake user=analyst password=s3cret sslmode=require')).toEqual({
      options: {
        host: 'db.internal',
        port: 5433,
        database: 'lake',
        user: 'analyst',
        password: 's3cret',
        ssl: { rejectUnauthorized: false },
      },
      sslmode: 'require',
    });
  });

  it('reads quoted values with escapes and spaces around "="', () => {
    const pairs = parseLibpqPairs(`host = localhost password='it\\'s a \\\\ secret' application_name=pas`);
    expect(Object.fromEntries(pairs)).toEqual({ host: 'localhost', password: "it's a \\ secret", application_name: 'pas' });
    expect(parsePostgresConnection("password='' dbname=x").options).toEqual({ database: 'x' });
  });

  it('maps every sslmode the way pg can honour it', () => {
    const ssl = (mode: string) => parsePostgresConnection(`sslmode=${mode}`).options.ssl;
    expect(ssl('disable')).toBe(false);
    expect(ssl('prefer')).toBe(false);
    expect(ssl('require')).toEqual({ rejectUnauthorized: false });
    expect(ssl('verify-full')).toEqual({ rejectUnauthorized: true });
    expect(ssl('verify-ca')).toMatchObject({ rejectUnauthorized: true });
  });

  it('maps connect_timeout and options, and accepts libpq keys pg has no use for', () => {
    expect(parsePostgresConnection("connect_timeout=5 options='-c search_path=lake' keepalives=1 target_session_attrs=read-write").options).toEqual({
      connectionTimeoutMillis: 5000,
      options: '-c search_path=lake',
    });
  });

  it('parses postgresql:// URLs with percent-encoded parts and query options', () => {
    expect(parsePostgresConnection('postgresql://ana%40corp:p%40ss%2Fword@db.example.com:6543/lake%20db?sslmode=verify-full&application_name=pas')).toEqual({
      options: {
        host: 'db.example.com',
        port: 6543,
        user: 'ana@corp',
        password: 'p@ss/word',
        database: 'lake db',
        application_name: 'pas',
        ssl: { rejectUnauthorized: true },
      },
      sslmode: 'verify-full',
    });
    expect(parsePostgresConnection('postgres://u@[::1]/db').options).toEqual({ host: '::1', user: 'u', database: 'db' });
  });

  it('rejects bad strings naming the key, never echoing a value', () => {
    const failure = (text: string) => {
      try {
        parsePostgresConnection(text);
      } catch (error) {
        expect(error).toBeInstanceOf(ConnectionStringError);
        return (error as Error).message;
      }
      throw new Error('expected a failure');
    };
    expect(failure('host=x pasword=hunter2')).toBe('unknown connection option "pasword"');
    expect(failure('host=x port=eighty')).toBe('"port" must be a number from 1 to 65535');
    expect(failure("password='hunter2")).toBe('unterminated quoted value for "password"');
    expect(failure('host')).toBe('missing "=" after "host"');
    expect(failure('sslmode=sometimes')).toMatch(/^"sslmode" must be one of disable, allow/);
    expect(failure('postgresql://u:hunter2@h/db?foo=1')).toBe('unknown connection option "foo"');
    expect(failure('   ')).toBe('the connection string is empty');
  });
});
