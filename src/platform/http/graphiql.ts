import { renderGraphiQL } from "@graphql-yoga/render-graphiql";

let cached: string | undefined;

/**
 * A self-contained GraphiQL page (all scripts inlined: it works with no internet), speaking
 * graphql-ws for subscriptions. Rendered once; the page is ~9 MB and never changes.
 */
export function graphiqlPage(): string {
  cached ??= renderGraphiQL({
    title: "Concert reservation – GraphiQL",
    endpoint: "/graphql",
    subscriptionsProtocol: "WS",
    defaultQuery: [
      "# Offline GraphiQL. Put your queue token in the Headers tab:",
      '# { "Authorization": "Bearer <token>" }',
      "query Concerts {",
      "  concerts { id title artist venue }",
      "}",
      "",
    ].join("\n"),
  } as never);
  return cached;
}
