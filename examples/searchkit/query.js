// The page's relevance query for the text typed in the search box, sent by
// Searchkit (requestOptions.getQuery) in place of its default one.
//
// Searchkit's default is a bool of multi_match with `fuzziness: "AUTO:4,8"`,
// a multi_match of type `bool_prefix` and a `phrase` multi_match
// (tests/es/SEARCHKIT-REQUESTS.md). newsdex has no fuzzy matching and
// refuses `fuzziness` with a 400 rather than answer something else, so this
// page asks for what newsdex does exactly: every word in the title or the
// body (cross_fields, operator and: newsdex's own reading of a query of
// words), the title weighing more, and the words as a phrase ranked higher.
// No dependency: the test (tests/es/test_searchkit.mjs) imports it too.
export function relevanceQuery(text) {
  return {
    bool: {
      should: [
        { multi_match: { query: text, fields: ['title^3', 'body'], type: 'cross_fields', operator: 'and' } },
        { multi_match: { query: text, fields: ['title^6', 'body^2'], type: 'phrase' } },
      ],
    },
  };
}
