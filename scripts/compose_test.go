package scripts_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// composeFile is the part of docker-compose.temporal.yml the checks below read.
type composeFile struct {
	Services map[string]struct {
		Build      any                    `yaml:"build"`
		Image      string                 `yaml:"image"`
		Entrypoint []string               `yaml:"entrypoint"`
		DependsOn  any                    `yaml:"depends_on"`
		Deploy     struct{ Replicas int } `yaml:"deploy"`
		Env        map[string]string      `yaml:"environment"`
	} `yaml:"services"`
}

// No Docker engine runs here, so docker-compose.temporal.yml is never started in
// tests: this checks that it parses (anchors included) and holds the production shape,
// two workers and the wizard built from the repository's Dockerfile, on the Temporal
// server the file runs.
func TestComposeFileHoldsTheProductionShape(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docker-compose.temporal.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("docker-compose.temporal.yml does not parse: %v", err)
	}
	for _, name := range []string{"temporal-postgresql", "temporal", "temporal-ui", "qbosync-worker", "qbosync-wizard"} {
		if _, ok := f.Services[name]; !ok {
			t.Errorf("no service %s", name)
		}
	}
	worker, wizard := f.Services["qbosync-worker"], f.Services["qbosync-wizard"]
	if worker.Deploy.Replicas != 2 {
		t.Errorf("qbosync-worker replicas = %d, want 2", worker.Deploy.Replicas)
	}
	if worker.Build != "." || wizard.Build != "." {
		t.Errorf("the worker and the wizard must be built from the repository's Dockerfile (build: .), got %v and %v", worker.Build, wizard.Build)
	}
	if strings.Join(wizard.Entrypoint, " ") != "/usr/local/bin/starter serve --listen 0.0.0.0:8090" {
		t.Errorf("the wizard's entrypoint is %q", wizard.Entrypoint)
	}
	for name, env := range map[string]map[string]string{"qbosync-worker": worker.Env, "qbosync-wizard": wizard.Env} {
		if env["QBOSYNC_TEMPORAL_ADDRESS"] != "temporal:7233" || !strings.Contains(env["QBOSYNC_DATABASE_URL"], "@temporal-postgresql:5432/qbosync") {
			t.Errorf("%s does not talk to the file's Temporal server and PostgreSQL: %v", name, env)
		}
	}
	dockerfile, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AS build", "go build", "./worker ./starter", "COPY --from=build"} {
		if !strings.Contains(string(dockerfile), want) {
			t.Errorf("the Dockerfile has no %q: it must build both binaries in a Go stage and copy them out", want)
		}
	}
}
