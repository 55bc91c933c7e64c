import Testing

@testable import RolloutConfig

@Suite struct InventoryErrorTests {
    private func yamlErrors(_ text: String) -> [ConfigError] {
        errors { try Inventory.parseYAML(text, file: "inventories/prod.yml") }
    }

    private func iniErrors(_ text: String) -> [ConfigError] {
        errors { try Inventory.parseINI(text, file: "inventories/prod.ini") }
    }

    /// Every problem a load reports (empty when it succeeds).
    private func errors(_ load: () throws -> Inventory) -> [ConfigError] {
        do {
            _ = try load()
            return []
        } catch {
            return (error as? ConfigError)?.all ?? []
        }
    }

    @Test func misspeltConnectionKeysAreErrorsWithSuggestionAndPosition() {
        let errors = yamlErrors(
            """
            all:
              hosts:
                web1:
                  adress: 10.0.0.1
                  identityfile: ~/.ssh/id
                  prot: 22
                  ports: [80, 443]
            """)
        #expect(
            errors.map(\.description) == [
                "inventories/prod.yml:4:7: key `adress`: unknown key (looks like the connection key `address`); "
                    + "did you mean `address`?",
                "inventories/prod.yml:5:7: key `identityfile`: unknown key (looks like the connection key "
                    + "`identity_file`); did you mean `identity_file`?",
                "inventories/prod.yml:6:7: key `prot`: unknown key (looks like the connection key `port`); "
                    + "did you mean `port`?",
            ])
        #expect(errors.allSatisfy { $0.code == .unknownKey })
    }

    @Test func structuralKeysMustBeExact() {
        let errors = yamlErrors(
            """
            all:
              host:
                web1:
              children:
                web:
                  childs: {}
            """)
        #expect(errors.count == 2)
        #expect(errors[0].line == 2 && errors[0].key == "host" && errors[0].suggestion == "hosts")
        #expect(errors[0].message.contains("allowed: `hosts`, `children`, `vars`"))
        #expect(errors[1].line == 6 && errors[1].key == "childs" && errors[1].suggestion == "children")
    }

    @Test func unsupportedAnsibleVariablesAreErrors() {
        let errors = yamlErrors(
            """
            all:
              vars:
                ansible_ssh_pass: secret
                ansible_hostt: 10.0.0.1
            """)
        #expect(errors.count == 2)
        #expect(errors[0].key == "ansible_ssh_pass" && errors[0].line == 3)
        #expect(errors[1].key == "ansible_hostt" && errors[1].suggestion == "ansible_host")
    }

    @Test func typeErrorsNameFileLineAndKey() {
        let errors = yamlErrors(
            """
            all:
              hosts:
                a: {port: 70000}
                b: {port: ssh}
                c: {address: ""}
                d: {user: [root]}
            """)
        #expect(
            errors.map(\.description) == [
                "inventories/prod.yml:3:9: key `port`: port 70000 is outside 1...65535",
                "inventories/prod.yml:4:9: key `port`: expected an integer port in 1...65535, found a string `ssh`",
                "inventories/prod.yml:5:9: key `address`: must not be empty",
                "inventories/prod.yml:6:9: key `user`: expected a non-empty string, found a list `[\"root\"]`",
            ])
        #expect(errors.map(\.code) == [.invalidValue, .invalidType, .invalidValue, .invalidType])
    }

    @Test func duplicateYamlKeysAreErrors() {
        let errors = yamlErrors(
            """
            all:
              hosts:
                web1:
                  port: 22
                  port: 2222
            """)
        #expect(errors.count == 1)
        #expect(errors[0].code == .duplicateKey)
        #expect(errors[0].key == "port")
        #expect(errors[0].line == 4)
    }

    @Test func aliasAndCanonicalKeyTogetherAreADuplicate() {
        let errors = yamlErrors("all: {hosts: {web1: {address: a, ansible_host: b}}}")
        #expect(errors.count == 1)
        #expect(errors[0].code == .duplicateKey && errors[0].key == "ansible_host")
    }

    @Test func yamlSyntaxErrorsHaveAPosition() {
        let errors = yamlErrors("all:\n  hosts: [a\n  vars: {}\n")
        #expect(errors.count == 1)
        #expect(errors[0].code == .syntax)
        #expect(errors[0].line != nil)
    }

    @Test func iniErrorsNameLineAndKey() {
        let errors = iniErrors(
            """
            [web]
            web1 adress=10.0.0.1
            web2 port=99999
            [web:childern]
            [webb:vars]
            region=eu
            [web:children]
            api
            """)
        #expect(
            errors.map(\.description) == [
                "inventories/prod.ini:2: key `adress`: unknown key (looks like the connection key `address`); "
                    + "did you mean `address`?",
                "inventories/prod.ini:3: key `port`: port 99999 is outside 1...65535",
                "inventories/prod.ini:4: key `childern`: unknown section kind in `[web:childern]` "
                    + "(allowed: `:vars`, `:children`); did you mean `children`?",
                "inventories/prod.ini:5: key `webb`: [webb:vars] names a group that is never defined; "
                    + "did you mean `web`?",
                "inventories/prod.ini:8: key `api`: [web:children] names a group that is never defined",
            ])
    }

    @Test func cyclesInChildrenAreReported() {
        let errors = iniErrors("[a:children]\nb\n[b:children]\na\n[b]\nh\n")
        #expect(errors.contains { $0.message.contains("cycle") })
    }

    @Test func loadNamesMissingInventoriesAndSuggests() throws {
        let error = try #require(throws: ConfigError.self) {
            try Inventory.load("exampel", baseDirectory: Fixtures.packageRoot)
        }
        #expect(error.code == .fileNotFound)
        #expect(error.suggestion == "example")
        #expect(error.file.hasSuffix("inventories/exampel.yml"))
    }
}
