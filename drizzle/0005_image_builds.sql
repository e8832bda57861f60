CREATE TABLE "image_builds" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"lab_id" text NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"image" text NOT NULL,
	"digest" text,
	"reason" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "image_builds" ADD CONSTRAINT "image_builds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "image_builds_live_unique" ON "image_builds" USING btree ("user_id","lab_id") WHERE "image_builds"."state" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "image_builds_state_idx" ON "image_builds" USING btree ("state","created_at");--> statement-breakpoint
CREATE INDEX "image_builds_user_lab_idx" ON "image_builds" USING btree ("user_id","lab_id","created_at");