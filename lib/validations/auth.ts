import { z } from "zod";

export const signInSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address")).pipe(z.string().max(254)),
  password: z.string().min(1, "Enter your password").max(1024),
});

export type SignIn = z.infer<typeof signInSchema>;
