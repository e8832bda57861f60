CREATE TABLE "workspace_files" (
	"sandbox_id" text NOT NULL,
	"path" text NOT NULL,
	"pod_uid" text NOT NULL,
	"sha256" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workspace_files_sandbox_id_path_pk" PRIMARY KEY("sandbox_id","path")
);
--> statement-breakpoint
ALTER TABLE "workspace_files" ADD CONSTRAINT "workspace_files_sandbox_id_sandboxes_id_fk" FOREIGN KEY ("sandbox_id") REFERENCES "public"."sandboxes"("id") ON DELETE cascade ON UPDATE no action;