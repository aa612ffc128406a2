// Command `explain`: which node file, scope and requirements apply when a pod in
// a namespace pulls an image, rendered from the same input as the function.
// Reads files (allowed in src/commands only); the answer comes from src/explain.

import type { Streams } from '../cli/context.ts'
import { UsageError } from '../cli/errors.ts'
import { DNS1123_LABEL_MAX_LENGTH, DNS1123_LABEL_MESSAGE, isDns1123Label } from '../upstream/dns1123.ts'
import { explainImage, formatExplanation } from '../explain/explain.ts'
import { guarded, parseCommandArgs, printedHelp, renderForCommand, withRendererOptions } from './render.ts'

export const EXPLAIN_USAGE = `imagepolicy-mc explain IMAGE [--namespace NS] [PATH...] [options]

Renders the input (PATH..., or stdin) and explains what CRI-O would do when a
pod in NS pulls IMAGE: the file it reads (/etc/crio/policies/NS.json if it is
written, else /etc/containers/policy.json), the scope that matches IMAGE in
containers/image's lookup order (full reference, repository, parent namespaces,
host, then *. wildcards from the most specific), the requirements in words (key
fingerprints, Fulcio issuer and email, PKI subject, identity rule), whether
signatures are read from sigstore attachments, and ImagePolicy scopes that lost
to a cluster scope.

  --namespace NS, -n NS  the pod's namespace [default: none: the cluster-wide policy.json]
  --output text|json     json is for scripts: see the fields of Explanation in src/explain/explain.ts`

export async function explainCommand(argv: readonly string[], streams: Streams): Promise<number> {
  if (printedHelp(argv, streams, EXPLAIN_USAGE)) return 0
  return guarded('explain', streams, async () => {
    const parsed = await parseCommandArgs(argv, (y) =>
      withRendererOptions(y)
        .option('namespace', { alias: 'n', type: 'string' })
        .option('output', { alias: 'o', type: 'string', choices: ['text', 'json'] as const, default: 'text' as const }),
    )
    const [image, ...paths] = parsed._.map(String)
    if (image === undefined || image === '') throw new UsageError('IMAGE is required')
    if (parsed.namespace === '') throw new UsageError('--namespace must not be empty')
    // A namespace names a node file (/etc/crio/policies/NS.json): what Kubernetes accepts, nothing else.
    if (parsed.namespace !== undefined && !isDns1123Label(parsed.namespace)) {
      const why = parsed.namespace.length > DNS1123_LABEL_MAX_LENGTH ? `must be no more than ${DNS1123_LABEL_MAX_LENGTH} characters` : DNS1123_LABEL_MESSAGE
      throw new UsageError(`--namespace ${JSON.stringify(parsed.namespace)} is not a valid namespace: ${why}`)
    }
    const result = await renderForCommand(parsed, paths, streams)
    if (result.exitCode !== 0) return result.exitCode
    const explained = explainImage({
      files: result.files,
      policies: result.policies,
      conflicts: result.conflicts,
      image,
      ...(parsed.namespace !== undefined ? { namespace: parsed.namespace } : {}),
    })
    if ('error' in explained) {
      streams.stderr.write(`imagepolicy-mc explain: ${explained.error}\n`)
      return 2
    }
    streams.stdout.write(parsed.output === 'json' ? JSON.stringify(explained.value, null, 2) + '\n' : formatExplanation(explained.value))
    return 0
  })
}
