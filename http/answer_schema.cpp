#include "http/answer_schema.h"

#include "core/assert.h"

namespace ledger::http::schema {
namespace {

// Marks a property that object() leaves out of `required`; object() removes the mark.
constexpr char kOptionalMark[] = "x-ledger-optional";

}  // namespace

Schema nullable(Schema schema) {
  if (schema.contains("$ref")) return {{"allOf", Schema::array({schema})}, {"nullable", true}};
  schema["nullable"] = true;
  return schema;
}

Schema optional(Schema schema) {
  schema[kOptionalMark] = true;
  return schema;
}

Schema object(const std::vector<std::pair<std::string, Schema>>& properties) {
  Schema props = Schema::object();
  Schema required = Schema::array();
  for (const auto& [name, property] : properties) {
    Schema copy = property;
    if (copy.contains(kOptionalMark)) {
      copy.erase(kOptionalMark);
    } else {
      required.push_back(name);
    }
    LEDGER_ASSERT(!props.contains(name), "an object names each property once");
    props[name] = std::move(copy);
  }
  Schema object = {{"type", "object"}, {"additionalProperties", false}, {"properties", props}};
  if (!required.empty()) object["required"] = std::move(required);
  return object;
}

Schema object(std::initializer_list<std::pair<std::string, Schema>> properties) {
  return object(std::vector<std::pair<std::string, Schema>>(properties));
}

Schema extended(const Schema& base, std::initializer_list<std::pair<std::string, Schema>> more) {
  LEDGER_ASSERT(base.contains("properties"), "only an object schema is extended");
  Schema object = base;
  object.erase("title");  // the extension is not the named component
  for (const auto& [name, property] : more) {
    Schema copy = property;
    if (copy.contains(kOptionalMark)) {
      copy.erase(kOptionalMark);
    } else {
      object["required"].push_back(name);
    }
    LEDGER_ASSERT(!object["properties"].contains(name), "an object names each property once");
    object["properties"][name] = std::move(copy);
  }
  return object;
}

Schema named(std::string name, Schema schema) {
  schema["title"] = std::move(name);
  return schema;
}

Schema list_of(Schema item) {
  std::string title = item.contains("title") ? item["title"].get<std::string>() + "List" : "";
  Schema list = object({{"count", integer()},
                        {"next", nullable(string())},
                        {"previous", nullable(string())},
                        {"results", array(std::move(item))}});
  return title.empty() ? list : named(std::move(title), std::move(list));
}

}  // namespace ledger::http::schema
