// Apollo plugin: one histogram observation per HTTP GraphQL operation, and the reserveSeat
// outcome by code. It reads what the request pipeline already has (no extra work per resolver),
// and it runs after the errors plugin, so error codes are the final, client-visible ones.
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type OperationDefinitionNode } from "graphql";
import type { AppMetrics } from "./metrics.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The label of an unnamed operation, by its parsed operation: Apollo Server keeps parsed
 * documents in its document cache, so the same text comes back as the same node and its label
 * is worked out once.
 */
const fieldLabels = new WeakMap<OperationDefinitionNode, string>();

/** The client's operation name when sane, else the root fields it selects (bounded by the schema). */
function operationLabel(name: string | null | undefined, operation: OperationDefinitionNode | undefined) {
  if (name && NAME.test(name)) return name;
  if (!operation) return "unparsed";
  let label = fieldLabels.get(operation);
  if (label === undefined) {
    const fields = operation.selectionSet.selections.flatMap((s) =>
      s.kind === Kind.FIELD ? [s.name.value] : [],
    );
    label = fields.length ? [...new Set(fields)].sort().join(",") : "anonymous";
    fieldLabels.set(operation, label);
  }
  return label;
}

export function metricsPlugin(metrics: AppMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, operation, operationName }) {
          const seconds = (performance.now() - started) / 1000;
          const result = response.body.kind === "single" ? response.body.singleResult : undefined;
          const errors = result?.errors ?? [];
          metrics.operation(
            operationLabel(operationName, operation),
            operation?.operation ?? "unknown",
            errors.length ? "error" : "ok",
            seconds,
          );
          if (operation?.operation !== "mutation") return;
          for (const s of operation.selectionSet.selections) {
            if (s.kind !== Kind.FIELD || s.name.value !== "reserveSeat") continue;
            const key = s.alias?.value ?? s.name.value;
            const error = errors.find((e) => e.path?.[0] === key);
            const code = error ? String(error.extensions?.["code"] ?? "UNKNOWN") : "HELD";
            metrics.reservationOutcome(code);
          }
        },
      };
    },
  };
}
