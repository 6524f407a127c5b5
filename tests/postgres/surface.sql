-- The extension's SQL surface, with pgTAP (run by tests/postgres/pg.sh on a
-- database where newsdex and pgtap are created and articles_nd exists).
SELECT plan(25);
SELECT has_extension('newsdex');
SELECT has_schema('newsdex');
SELECT has_operator('text', '@@@', 'text', 'boolean');
SELECT has_operator('timestamp with time zone', '@@@', 'text', 'boolean');
SELECT has_operator('date', '@@@', 'text', 'boolean');
SELECT has_operator('text', '<=>', 'text', 'double precision');
SELECT has_opclass('newsdex_text_ops');
SELECT has_opclass('newsdex_timestamptz_ops');
SELECT has_function('newsdex', 'score', ARRAY['tid']);
SELECT has_function('newsdex', 'snippet', ARRAY['regclass', 'tid', 'text', 'text', 'text']);
SELECT has_function('newsdex', 'links', ARRAY['regclass', 'tid', 'integer']);
SELECT has_function('newsdex', 'facets', ARRAY['regclass', 'text', 'text', 'integer']);
SELECT has_function('newsdex', 'histogram', ARRAY['regclass', 'text', 'text']);
SELECT has_function('newsdex', 'check', ARRAY['regclass']);
SELECT has_function('newsdex', 'stats', ARRAY['regclass']);
SELECT has_function('newsdex', 'query_stats', ARRAY['regclass', 'text']);
SELECT has_function('newsdex', 'stats_merge', ARRAY['text[]']);
SELECT has_function('newsdex', 'with_stats', ARRAY['text', 'text']);
SELECT volatility_is('newsdex', 'with_stats', ARRAY['text', 'text'], 'immutable');
SELECT index_is_type('articles', 'articles_nd', 'newsdex');
SELECT throws_ok($$SELECT newsdex.match('a', 'b')$$, '0A000', NULL, 'the match function refuses to run alone');
SELECT throws_ok($$SELECT * FROM newsdex.check('articles_pkey')$$, '42809', NULL, 'check refuses an index of another kind');
SELECT throws_ok($$SELECT count(*) FROM articles WHERE title @@@ 'a AND'$$, '42601', NULL, 'a malformed query is a syntax error');
SELECT is((SELECT newsdex.stats_merge(ARRAY[newsdex.query_stats('articles_nd', 'said')])),
          newsdex.query_stats('articles_nd', 'said'), 'the figures of one shard merged alone are themselves');
SELECT isnt_empty($$SELECT newsdex.with_stats('said', newsdex.query_stats('articles_nd', 'said'))$$,
                  'with_stats joins figures and query');
SELECT * FROM finish();
