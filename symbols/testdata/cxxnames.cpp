// cxxnames: C++ names as gdb shows and takes them: a namespace, a class
// method, overloads, a template with two instantiations, a class template.
#include <cstdio>

namespace geo {
struct Shape {
	int w;
	int area(int k) const { return w * k; }
	int scale(int k) { return w *= k; }
	double scale(double k) { return w * k; }
};

template <typename T> T twice(T x) { return x * 2; }

template <typename T> struct Box {
	T v;
	T get() const { return v; }
};
} // namespace geo

int main()
{
	geo::Shape s{3};
	geo::Box<long> b{7};
	int a = s.area(2) + s.scale(2) + (int)s.scale(0.5) + geo::twice(4) + (int)geo::twice(1.5) + (int)b.get();
	printf("%d\n", a);
	return 0;
}
