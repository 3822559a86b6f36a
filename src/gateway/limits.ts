/**
 * Limits on one request, checked before any upstream call, each refused with HTTP 400, an extensions.code naming
 * the limit, the limit's value in the message and `extensions.limit` (issue 8). Depth, cost, aliases, tokens and
 * directives are graphql-armor's rules with their refusal re-coded (armor's own error is a 200 "Syntax Error: ...");
 * list length, input nesting and string size are checked here on literals (a validation rule) and on variables
 * (before graphql-js coerces them: its coercion recurses, so a variable nested 20,000 deep would overflow the stack).
 */
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, Kind, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayConfig } from './config.js';
import { httpError } from './security.js';
import { readCapped } from './read-body.js';

export type LimitCode =
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COSTLY'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_TOKENS'
  | 'TOO_MANY_DIRECTIVES'
  | 'LIST_TOO_LONG'
  | 'INPUT_TOO_DEEP'
  | 'STRING_TOO_LONG'
  | 'BODY_TOO_LARGE';

/** A limit refusal: 400, the code, and the limit both in words and as `extensions.limit`. */
export function limitError(code: LimitCode, message: string, limit: number): GraphQLError {
  return httpError(code === 'BODY_TOO_LARGE' ? 413 : 400, code, message, { limit });
}

/** The Yoga plugins that enforce every per-operation limit of `config` (HTTP and graphql-ws alike). */
export function useOperationLimits(config: GatewayConfig): Plugin[] {
  // armor calls onReject before its own throw; throwing ours there replaces armor's uncoded "Syntax Error".
  const reject = (code: LimitCode, what: string, limit: number, variable: string) => [
    (_ctx: unknown, err: Error) => {
      const found = /found (\d+)/.exec(err.message)?.[1];
      throw limitError(code, `${what}${found ? ` ${found}` : ''} is over the limit of ${limit} (${variable}).`, limit);
    },
  ];
  // One rule for every request (its state lives in each validation's own closure).
  const inputRule = inputLimitsRule(config);
  return [
    maxTokensPlugin({ n: config.maxTokens, onReject: reject('TOO_MANY_TOKENS', 'The document has more tokens than allowed; it', config.maxTokens, 'MAX_TOKENS') }),
    maxDepthPlugin({
      n: config.maxQueryDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      onReject: reject('QUERY_TOO_DEEP', 'Query depth', config.maxQueryDepth, 'MAX_QUERY_DEPTH'),
    }),
    // Cost = the most objects the response could hold: each `first` multiplies what is below it.
    costLimitPlugin({
      maxCost: config.maxQueryCost,
      objectCost: 1,
      scalarCost: 0,
      depthCostFactor: 1,
      ignoreIntrospection: true,
      onReject: reject('QUERY_TOO_COSTLY', 'Query cost', config.maxQueryCost, 'MAX_QUERY_COST'),
    }),
    // allowList [] counts `a: __typename` too: armor's default exempts it, and 10,000 of them are as costly to validate.
    maxAliasesPlugin({ n: config.maxAliases, allowList: [], onReject: reject('TOO_MANY_ALIASES', 'Alias count', config.maxAliases, 'MAX_ALIASES') }),
    maxDirectivesPlugin({ n: config.maxDirectives, onReject: reject('TOO_MANY_DIRECTIVES', 'Directive count', config.maxDirectives, 'MAX_DIRECTIVES') }),
    {
      onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
        const header = request.headers.get('content-length');
        if (Number(header ?? 0) > config.maxBodyBytes) throw bodyTooLarge(config);
        if (!requestParser) return;
        const parse = requestParser;
        // Node's HTTP parser hands over exactly Content-Length bytes (a body that says otherwise is refused before it
        // gets here), so a sized body within the limit is read as it is: Yoga's own limiter (maxRequestBodySize, off
        // in gateway.ts) piped every body through a counting web stream. A chunked body has no length up front: it
        // is counted while read and refused past the limit.
        if (header !== null && /^\d+$/.test(header)) return;
        setRequestParser(async (req) => parse(req.body ? await readLimited(req, config, fetchAPI) : req));
      },
      onValidate({ addValidationRule }) {
        addValidationRule(inputRule);
      },
      onParams({ params }) {
        checkVariables(config, params.variables);
      },
    },
  ];
}

/** A request whose body was read (chunked, no Content-Length) with a byte count, refused once it is over the limit. */
async function readLimited(req: Request, config: GatewayConfig, fetchAPI: { Request: typeof Request }): Promise<Request> {
  const body = await readCapped(req.body!, config.maxBodyBytes, () => bodyTooLarge(config));
  return new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, signal: req.signal, body });
}

/**
 * Variables as sent, before coercion: list lengths, string sizes and nesting, walked without recursion so a hostile
 * depth costs a loop, not the stack. Throws the first limit refusal.
 */
export function checkVariables(config: GatewayConfig, variables: unknown): void {
  if (variables == null || typeof variables !== 'object') return;
  // Last variable first, each one's nested values before the one before it: the order of one stack seeded with
  // all of them, without a path string built for every scalar that passes.
  const names = Object.keys(variables);
  for (let i = names.length - 1; i >= 0; i--) {
    const value = (variables as Record<string, unknown>)[names[i]!];
    if (typeof value === 'string') {
      if (value.length > config.maxStringLength) throw stringTooLong(config, `Variable $${names[i]}`, value.length);
    } else if (value !== null && typeof value === 'object') {
      checkNested(config, value, `$${names[i]}`);
    }
  }
}

function checkNested(config: GatewayConfig, variable: object, name: string): void {
  const stack: [unknown, number, string][] = [[variable, 0, name]];
  while (stack.length) {
    const [value, depth, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.length > config.maxStringLength) throw stringTooLong(config, `Variable ${path}`, value.length);
    } else if (value !== null && typeof value === 'object') {
      if (depth + 1 > config.maxInputDepth) throw inputTooDeep(config, `Variable ${path}`);
      if (Array.isArray(value)) {
        if (value.length > config.maxListLength) throw listTooLong(config, `Variable ${path}`, value.length);
        value.forEach((item, i) => stack.push([item, depth + 1, `${path}[${i}]`]));
      } else {
        for (const [key, item] of Object.entries(value)) stack.push([item, depth + 1, `${path}.${key}`]);
      }
    }
  }
}

/** The same limits on literals in the document, naming the argument. */
function inputLimitsRule(config: GatewayConfig): ValidationRule {
  return (context) => {
    let argument = '';
    let depth = 0;
    // One refusal per operation is enough to act on; a report per nested level would bury it in hundreds.
    let refused = false;
    const refuse = (err: GraphQLError) => {
      if (!refused) context.reportError(err);
      refused = true;
    };
    const where = () => (argument ? `Argument ${argument}` : 'A default value');
    return {
      Argument: { enter: (node) => void (argument = node.name.value) },
      [Kind.VARIABLE_DEFINITION]: { enter: () => void (argument = '') },
      ListValue: {
        enter(node) {
          if (++depth > config.maxInputDepth) refuse(inputTooDeep(config, where()));
          else if (node.values.length > config.maxListLength) refuse(listTooLong(config, where(), node.values.length));
        },
        leave: () => void depth--,
      },
      ObjectValue: {
        enter() {
          if (++depth > config.maxInputDepth) refuse(inputTooDeep(config, where()));
        },
        leave: () => void depth--,
      },
      StringValue(node) {
        if (node.value.length > config.maxStringLength) refuse(stringTooLong(config, where(), node.value.length));
      },
    };
  };
}

function bodyTooLarge(config: GatewayConfig): GraphQLError {
  return limitError('BODY_TOO_LARGE', `The request body is over the limit of ${config.maxBodyBytes} bytes (MAX_BODY_BYTES).`, config.maxBodyBytes);
}

function listTooLong(config: GatewayConfig, what: string, length: number): GraphQLError {
  return limitError('LIST_TOO_LONG', `${what}: a list of ${length} items is over the limit of ${config.maxListLength} (MAX_LIST_LENGTH).`, config.maxListLength);
}

function inputTooDeep(config: GatewayConfig, what: string): GraphQLError {
  return limitError('INPUT_TOO_DEEP', `${what}: input nested deeper than the limit of ${config.maxInputDepth} levels (MAX_INPUT_DEPTH).`, config.maxInputDepth);
}

function stringTooLong(config: GatewayConfig, what: string, length: number): GraphQLError {
  return limitError('STRING_TOO_LONG', `${what}: a string of ${length} characters is over the limit of ${config.maxStringLength} (MAX_STRING_LENGTH).`, config.maxStringLength);
}
