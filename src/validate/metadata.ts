// Validate stage: ObjectMeta rules the API server applies to our kinds
// (apimachinery pkg/api/validation `ValidateObjectMeta`, `NameIsDNSSubdomain`,
// `ValidateNamespaceName`) and OpenShift's singleton rule for the Image config.
// Pure; never throws.

import { checkIssue, MSG, type CheckIssue } from './check-issue.ts'
import { dns1123LabelProblems, dns1123SubdomainProblems } from '../upstream/dns1123.ts'
import { isObject } from '../is-object.ts'

/**
 * metadata of an ImagePolicy or ClusterImagePolicy. Fatal (every mode): a missing
 * name, and for ImagePolicy a missing namespace or one that is not a DNS-1123
 * label, because the namespace becomes the node file
 * `/etc/crio/policies/<namespace>.json` and `../x` must never reach a path. A name
 * that is not a DNS-1123 subdomain is an API rule.
 */
export function policyMetadataFindings(value: Record<string, unknown>, kind: string): CheckIssue[] {
  const out: CheckIssue[] = []
  const metadata = isObject(value['metadata']) ? value['metadata'] : {}
  const name = metadata['name']
  if (name === undefined || name === null || name === '') {
    out.push(checkIssue('fatal', 'schema', ['metadata', 'name'], MSG.required('name or generateName is required')))
  } else if (typeof name === 'string') {
    const problems = dns1123SubdomainProblems(name)
    if (problems.length > 0) out.push(checkIssue('rule', 'schema', ['metadata', 'name'], MSG.invalid(name, problems.join(', '))))
  }
  if (kind !== 'ImagePolicy') return out
  const namespace = metadata['namespace']
  if (namespace === undefined || namespace === null || namespace === '') {
    out.push(
      checkIssue(
        'fatal',
        'schema',
        ['metadata', 'namespace'],
        MSG.required('ImagePolicy is namespaced; metadata.namespace is required (it names the node file /etc/crio/policies/<namespace>.json)'),
      ),
    )
  } else if (typeof namespace === 'string') {
    const problems = dns1123LabelProblems(namespace)
    if (problems.length > 0) out.push(checkIssue('fatal', 'schema', ['metadata', 'namespace'], MSG.invalid(namespace, problems.join(', '))))
  }
  return out
}

/**
 * The Image config is a singleton: OpenShift's admission plugin
 * `config.openshift.io/ValidateImage` (openshift/kubernetes
 * openshift-kube-apiserver/admission/customresourcevalidation/image/validate_image.go,
 * `customresourcevalidation.RequireNameCluster`) rejects any other name, and MCO
 * reads only `cluster`.
 */
export function imageMetadataFindings(value: Record<string, unknown>): CheckIssue[] {
  const metadata = isObject(value['metadata']) ? value['metadata'] : {}
  const name = metadata['name']
  if (name === undefined || name === null || name === '') return [checkIssue('rule', 'schema', ['metadata', 'name'], MSG.required('name or generateName is required'))]
  if (name !== 'cluster') return [checkIssue('rule', 'schema', ['metadata', 'name'], MSG.invalid(name, 'must be cluster'))]
  return []
}
