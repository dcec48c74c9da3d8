import { type ProjectSite } from './project-sites.service.js';

/** `paused` as answers show it: `false`, or the reason it is paused. */
export function pausedState(p: ProjectSite): false | { value: true; reason: string } {
  return p.paused ? { value: true, reason: p.pausedReason ?? 'paused' } : false;
}

/**
 * A project's summary document (the ProjectSummary of the JSON API): a tenant's list of its projects and the
 * operator's pause answer show the same one, so it is written once, beside the record it summarizes.
 */
export function projectSummary(p: ProjectSite): Record<string, unknown> {
  const setting = (k: string) => (typeof p.viewerSettings[k] === 'string' ? p.viewerSettings[k] : null);
  return {
    _id: p.publicId,
    name: p.title,
    namespace: p.namespace,
    hostName: p.slug,
    projectType: setting('projectType'),
    status: p.status,
    statusOverride: setting('statusOverride'),
    paused: pausedState(p),
    published: p.published,
    createdAt: p.createdAt ? new Date(p.createdAt).toISOString() : null,
  };
}
