import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    /** Id of the AdminSession row; the row, not the cookie, decides whether the session still holds. */
    sessionId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** Id of the AdminSession row created at sign-in. */
    sid?: string;
  }
}
