-- Every built-in type family with its edge values; bronze must keep each value's text form.
CREATE TABLE public.types_builtin (
    id integer PRIMARY KEY,
    c_smallint smallint, c_integer integer, c_bigint bigint,
    c_numeric numeric, c_numeric_p numeric(12, 2), c_numeric_big numeric(60, 20),
    c_real real, c_double double precision, c_money money,
    c_text text, c_varchar varchar(20), c_char char(5), c_qchar "char", c_name name,
    c_bytea bytea, c_bool boolean,
    c_date date, c_time time, c_time3 time(3), c_timetz timetz,
    c_timestamp timestamp, c_timestamp0 timestamp(0), c_timestamptz timestamptz, c_interval interval,
    c_uuid uuid, c_inet inet, c_cidr cidr, c_macaddr macaddr, c_macaddr8 macaddr8,
    c_json json, c_jsonb jsonb, c_jsonpath jsonpath,
    c_bit bit(8), c_varbit bit varying(16),
    c_int4range int4range, c_int8range int8range, c_numrange numrange, c_daterange daterange,
    c_tsrange tsrange, c_tstzrange tstzrange, c_int4multirange int4multirange,
    c_tsvector tsvector, c_tsquery tsquery, c_xml xml,
    c_point point, c_line line, c_lseg lseg, c_box box, c_path path, c_polygon polygon, c_circle circle,
    c_oid oid, c_pg_lsn pg_lsn,
    c_int_array integer[], c_text_2d text[], c_numeric_array numeric[], c_bounded_array integer[],
    c_ts_array timestamptz[], c_jsonb_array jsonb[], c_uuid_array uuid[]
);

INSERT INTO public.types_builtin VALUES
(1, -32768, -2147483648, -9223372036854775808,
 'NaN', -9999999999.99, '12345678901234567890123456789012345678.01234567890123456789',
 'NaN', 'NaN', '-92233720368547758.08',
 E'Unicode: \u00e9\u00fc\u4e2d\u6587 \U0001F600 tab\there newline\nand back\\slash ''quote'' "dq"', 'v', 'ab', 'x', 'pg_name',
 '\x00ff10deadbeef', true,
 '-infinity', '00:00:00', '23:59:59.999', '00:00:00+14:59',
 '-infinity', '4713-01-01 00:00:00 BC', '-infinity', '-178000000 years',
 '00000000-0000-0000-0000-000000000000', '::ffff:1.2.3.4/128', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
 '{"b": 1,  "a" : [1, 2.50, null]}', '{"b": 1, "a": [1, 2.50, null], "n": 1e400}', '$.a[*] ? (@ > 1)',
 B'10101010', B'1',
 'empty', '[-9223372036854775808,9223372036854775807)', '(,)', '[2020-01-01,infinity)',
 '["4713-01-01 00:00:00 BC",)', '[-infinity,infinity]', '{[1,3), [5,7)}',
 'a fat cat:1A sat:2B', 'fat & (rat | !cat)', '<a b="1">text &amp; more</a>',
 '(0,0)', '{1,-1,0}', '[(0,0),(1,1)]', '(1,1),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(0,0),1>',
 0, '0/0',
 '{1,NULL,3}', '{{a,b},{NULL,"c d"}}', '{NaN,1.5,-0.0}', '[0:2]={7,8,9}',
 '{"2020-01-01 00:00:00+00",infinity}', ARRAY['{"a":1}'::jsonb, 'null'::jsonb], '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'),
(2, 32767, 2147483647, 9223372036854775807,
 '-0.000000000000000000000000000000000000000000000001', 0.01, '-0.00000000000000000001',
 '-0', '-0', '92233720368547758.07',
 '', repeat('z', 20), 'abcde', E'\\001', repeat('n', 63),
 '', false,
 'infinity', '24:00:00', '12:34:56.789', '23:59:59.999999-15:59',
 'infinity', '294276-12-31 23:59:59', 'infinity', '1 year 2 mons -3 days 04:05:06.789',
 'ffffffff-ffff-ffff-ffff-ffffffffffff', '2001:db8::1/64', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff',
 '[]', '[]', '$',
 B'00000000', B'1111000011110000',
 '[1,2)', 'empty', '[1.5,2.5]', '[1999-12-31,2000-01-01]',
 '["2020-01-01 00:00:00","2020-01-02 00:00:00")', '("2020-01-01 00:00:00+00","2020-01-01 00:00:00.000001+00")', '{}',
 '', 'a', '<?xml version="1.0"?><root/>',
 '(1e300,-1e-300)', '{0,1,-5}', '[(0,0),(0,0)]', '(0,0),(0,0)', '((0,0),(1,1))', '((0,0))', '<(1.5,2.5),0>',
 4294967295, 'FFFFFFFF/FFFFFFFF',
 '{}', '{}', '{}', '[-5:-5]={1}',
 '{}', '{}', '{}'),
(3, 0, 0, 0,
 'Infinity', 0, 0,
 'Infinity', '1e308', 0,
 'plain', NULL, NULL, NULL, NULL,
 '\x', NULL,
 '4713-01-01 BC', '12:00', NULL, NULL,
 '2000-02-29 12:00:00.123456', NULL, '1999-12-31 23:59:59.999999+05:30', '0',
 NULL, NULL, NULL, NULL, NULL,
 'null', 'null', NULL,
 NULL, B'',
 NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL,
 '{{1,2},{3,4}}', '{{{x}}}', NULL, NULL,
 NULL, NULL, NULL),
(4, NULL, NULL, NULL, '-Infinity', NULL, NULL, '-Infinity', '4.9e-324', NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, '5874897-12-31', NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- User-defined types: enums and domains land as their base type; composites as text.
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy', 'Über "quoted"');
CREATE DOMAIN public.positive_money AS numeric(10, 2) CHECK (VALUE > 0);
CREATE DOMAIN public.email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN public.mood_domain AS public.mood;
CREATE DOMAIN public.int_list AS integer[];
CREATE TYPE public.pair AS (a integer, b text);

CREATE TABLE public.types_user (
    id integer PRIMARY KEY,
    c_mood public.mood,
    c_moods public.mood[],
    c_money public.positive_money,
    c_email public.email,
    c_mood_domain public.mood_domain,
    c_int_list public.int_list,
    c_pair public.pair,
    c_total numeric GENERATED ALWAYS AS (c_money * 2) STORED
);
INSERT INTO public.types_user (id, c_mood, c_moods, c_money, c_email, c_mood_domain, c_int_list, c_pair) VALUES
(1, 'happy', '{sad,NULL,"Über \"quoted\""}', 12.34, 'a@b.c', 'ok', '{1,2,NULL}', '(1,"x y")'),
(2, 'Über "quoted"', '{}', 0.01, 'x@y', NULL, '{}', '(,)'),
(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- A partitioned table: extracting the parent reads every partition.
CREATE TABLE public.measurements (id bigint, taken_on date NOT NULL, value double precision) PARTITION BY RANGE (taken_on);
CREATE TABLE public.measurements_2023 PARTITION OF public.measurements FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE public.measurements_2024 PARTITION OF public.measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO public.measurements SELECT i, date '2023-06-01' + i, i / 7.0 FROM generate_series(1, 200) i;

-- Names that need quoting everywhere: spaces, quotes, mixed case, non-ASCII, reserved words.
CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."Order ""Lines"" Ünïcode" (
    "select" integer PRIMARY KEY,
    "Mixed Case" text,
    "with space" text,
    "quo""te" text,
    "ñandú" numeric,
    "from" timestamptz
);
INSERT INTO "Sales Dept"."Order ""Lines"" Ünïcode" VALUES
(1, 'A', 'b c', 'd"e', 1.5, '2024-01-01 00:00:00+00'),
(2, NULL, '', '''', -0.5, NULL);

CREATE TABLE public.empty_table (id integer PRIMARY KEY, name text);
CREATE TABLE public.no_key (name text, qty integer);
INSERT INTO public.no_key VALUES ('a', 1), ('a', 1), (NULL, NULL);
