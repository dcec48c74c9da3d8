/**
 * How one kind of session lives, declared by whoever opens it: the format of its secret on the wire and how long a
 * secret lasts. The store keeps only the secret's SHA-256, so the format is the declarer's alone.
 */
export interface SessionPolicy {
  /** How long a secret lives: from the login for a fixed-term session, from its issue (login, renewal) if rotating. */
  lifetimeSeconds: number;
  /** A new secret, as the client will carry it. */
  newSecret(): string;
  /**
   * The presented secret in the form it was issued in (a client may change its case, say), or undefined when it
   * cannot be one: refused without a lookup.
   */
  issuedForm(presented: string): string | undefined;
}
