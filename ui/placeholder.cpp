// The desktop views arrive with the desktop app issue; this keeps the ui/ layer and its
// link rules in the build from day one.
namespace eventlens::ui {
int placeholder()
{
    return 0;
}
} // namespace eventlens::ui
