import "next-auth";

declare module "next-auth" {
  interface Session {
    /** AdminUser.sessionVersion at sign-in; a mismatch means the session was revoked. */
    sessionVersion: number;
    /** "credentials" or "entra": how this session signed in (Entra sessions follow group membership). */
    signInMethod: string;
  }
}
