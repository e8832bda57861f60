CREATE TABLE "lab_attempts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lab_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"lab_id" text NOT NULL,
	"seq" integer NOT NULL,
	"files_sha256" text NOT NULL,
	"results" jsonb NOT NULL,
	"score" integer NOT NULL,
	"max_score" integer NOT NULL,
	"completed" boolean NOT NULL,
	"duration_ms" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"prev_hash" text,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_file_revisions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lab_file_revisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"lab_id" text NOT NULL,
	"path" text NOT NULL,
	"revision" integer NOT NULL,
	"content" text NOT NULL,
	"sha256" text NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_files" (
	"user_id" text NOT NULL,
	"lab_id" text NOT NULL,
	"path" text NOT NULL,
	"content" text NOT NULL,
	"sha256" text NOT NULL,
	"revision" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lab_files_user_id_lab_id_path_pk" PRIMARY KEY("user_id","lab_id","path")
);
--> statement-breakpoint
CREATE TABLE "lab_grading_locks" (
	"user_id" text NOT NULL,
	"lab_id" text NOT NULL,
	"token" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	CONSTRAINT "lab_grading_locks_user_id_lab_id_pk" PRIMARY KEY("user_id","lab_id")
);
--> statement-breakpoint
ALTER TABLE "lab_attempts" ADD CONSTRAINT "lab_attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_file_revisions" ADD CONSTRAINT "lab_file_revisions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_files" ADD CONSTRAINT "lab_files_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_grading_locks" ADD CONSTRAINT "lab_grading_locks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "lab_attempts_seq_unique" ON "lab_attempts" USING btree ("user_id","lab_id","seq");--> statement-breakpoint
CREATE INDEX "lab_attempts_lab_idx" ON "lab_attempts" USING btree ("lab_id","created_at");--> statement-breakpoint
CREATE INDEX "lab_attempts_user_recent_idx" ON "lab_attempts" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "lab_file_revisions_unique" ON "lab_file_revisions" USING btree ("user_id","lab_id","path","revision");--> statement-breakpoint
-- Hand-written: graded attempts and file revisions are append-only. Deleting stays possible (a
-- deleted account cascades); rewriting is refused here and detected by the attempts' HMAC chain.
CREATE FUNCTION "academy_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: rows cannot be changed', TG_TABLE_NAME;
END
$$;--> statement-breakpoint
CREATE TRIGGER "lab_attempts_append_only" BEFORE UPDATE ON "lab_attempts" FOR EACH ROW EXECUTE FUNCTION "academy_append_only"();--> statement-breakpoint
CREATE TRIGGER "lab_file_revisions_append_only" BEFORE UPDATE ON "lab_file_revisions" FOR EACH ROW EXECUTE FUNCTION "academy_append_only"();
