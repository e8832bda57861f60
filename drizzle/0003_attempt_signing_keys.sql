CREATE TABLE "lab_attempt_checkpoint" (
	"id" integer PRIMARY KEY NOT NULL,
	"counts" jsonb NOT NULL,
	"kid" text NOT NULL,
	"signature" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_attempt_heads" (
	"user_id" text NOT NULL,
	"lab_id" text NOT NULL,
	"seq" integer NOT NULL,
	"hash" text NOT NULL,
	"kid" text NOT NULL,
	"signature" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "lab_attempt_heads_user_id_lab_id_pk" PRIMARY KEY("user_id","lab_id")
);
--> statement-breakpoint
ALTER TABLE "lab_attempts" ADD COLUMN "kid" text DEFAULT 'session-v1' NOT NULL;--> statement-breakpoint
ALTER TABLE "lab_attempt_heads" ADD CONSTRAINT "lab_attempt_heads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;