import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { getCurrentUser } from "@/lib/auth/session";

async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  const [action] = (await context.params).nextauth;
  // Completing a GitHub/OIDC sign-in while signed in links that identity to the signed-in account.
  const signedInUserId = action === "callback" ? ((await getCurrentUser())?.id ?? null) : null;
  return NextAuth(authOptions({ signedInUserId }))(request, context);
}

export { handler as GET, handler as POST };
