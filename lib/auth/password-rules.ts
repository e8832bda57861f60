// Rules for new passwords; shared by the sign-up form and the server.
const COMMON = new Set([
  "password", "password1", "password123", "passw0rd", "qwertyuiop", "1234567890", "123456789012",
  "letmein123", "iloveyou12", "welcome123", "admin12345", "changeme123", "qwerty12345", "abcdefghij",
  "trustno1234", "football12", "monkey1234", "dragon1234", "baseball12", "sunshine12",
]);

/** Returns what is wrong with a new password, or null when it is acceptable. */
export function passwordProblem(password: string, email = ""): string | null {
  if (password.length < 10) return "Use at least 10 characters.";
  if (password.length > 200) return "Use at most 200 characters.";
  if (new Set(password).size < 5) return "Use a less repetitive password (at least 5 different characters).";
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return "This password is too common; choose another.";
  const local = email.split("@")[0]?.toLowerCase() ?? "";
  if (local.length >= 4 && lower.includes(local)) return "Don't use your email address in your password.";
  return null;
}
